"""Test blocks and helpers for the progress tests: a scored block, a course of html, video,
discussion and scored blocks, a query counter."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from kampus_content.progress.completion import completion_from_browser
from kampus_content.store.interface import Block
from kampus_content.testing.xblocks import installed_block, publish_course
from web_fragments.fragment import Fragment
from xblock.core import XBlock
from xblock.fields import Integer, Scope

from kampus.testing import DEFAULT_COURSE, recording_statements


class ScoredBlock(XBlock):
    """A problem-like block: keeps the learner's answer, publishes the score it is sent."""

    has_score = True
    answer = Integer(scope=Scope.user_state, default=0)

    def student_view(self, context: Any = None) -> Fragment:
        return Fragment(f"<p>answer={self.answer}</p>")

    @XBlock.json_handler
    def submit(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        self.answer = data.get("answer", 1)
        grade = {"value": data["value"], "max_value": data.get("max_value", 2)}
        if "only_if_higher" in data:
            grade["only_if_higher"] = data["only_if_higher"]
        self.runtime.publish(self, "grade", grade)
        return {"answer": self.answer}

    @XBlock.json_handler
    def submit_then_fail(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        self.answer = 99
        self.runtime.publish(self, "grade", {"value": 2, "max_value": 2})
        raise RuntimeError("the block failed after publishing its grade")

    @XBlock.json_handler
    def publish_completion(self, data: Any, suffix: str = "") -> dict[str, str]:
        return completion_from_browser(self, data)


@pytest.fixture(autouse=True)
def scored_block() -> Iterator[None]:
    with installed_block("scored", ScoredBlock):
        yield


def build_course(app: Flask, course_key: str = DEFAULT_COURSE) -> dict[str, str]:
    """Two units: (html h1, html h2, scored s1, discussion d1) and (video v1, scored s2)."""
    return publish_course(app, course_key, {
        "unit1": [Block("html", "h1", {"data": "<p>one</p>"}), Block("html", "h2", {"data": "<p>two</p>"}),
                  Block("scored", "s1", {}), Block("discussion", "d1", {})],
        "unit2": [Block("video", "v1", {"html5_sources": ["/static/v.mp4"]}), Block("scored", "s2", {})],
    })


@pytest.fixture
def course(app: Flask) -> dict[str, str]:
    return build_course(app)


def post(client: Any, usage_id: str, handler: str, data: Any = None, **kwargs: Any) -> Any:
    return client.post(f"/xblock/{usage_id}/handler/{handler}", data=json.dumps(data if data is not None else {}),
                       content_type="application/json", **kwargs)


@pytest.fixture
def count_queries(app: Flask) -> Any:
    """``with count_queries() as counter: ...``: the queries run on the app's engine."""
    return lambda: recording_statements(app)
