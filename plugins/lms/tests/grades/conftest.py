"""Fixtures of the grades tests: a scored test block whose points a test sets, a course builder with
sections, subsections (format, graded, due, release) and units, and a helper that answers a block as
a learner through its handler (so the score is written and ``kampus_score_changed`` fires as in life)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from kampus_content.api import CourseNotFound
from kampus_content.store.interface import Block
from kampus_content.testing.xblocks import installed_block
from opaque_keys.edx.keys import CourseKey
from web_fragments.fragment import Fragment
from xblock.core import XBlock
from xblock.fields import Float, Scope

from kampus.testing import DEFAULT_COURSE

COURSE = DEFAULT_COURSE


class GradedBlock(XBlock):
    """A problem-like block worth ``points``: the ``answer`` handler publishes the points it is sent."""

    has_score = True
    points = Float(scope=Scope.settings, default=1.0)
    earned = Float(scope=Scope.user_state, default=0.0)

    def max_score(self) -> float:
        return self.points

    def student_view(self, context: Any = None) -> Fragment:
        return Fragment(f"<p>graded block worth {self.points}</p>")

    @XBlock.json_handler
    def answer(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        self.earned = float(data["earned"])
        self.runtime.publish(self, "grade", {"value": self.earned, "max_value": self.points})
        return {"earned": self.earned}


@pytest.fixture(autouse=True)
def graded_block() -> Iterator[None]:
    with installed_block("graded", GradedBlock):
        yield


@dataclass
class Sub:
    """A subsection of a test course: its problems' points by block id, in units of one problem each
    unless ``units`` groups them."""

    id: str
    problems: dict[str, float] = field(default_factory=dict)
    format: str = ""
    graded: bool = False
    due: str | None = None
    start: str | None = None
    staff_only: bool = False
    units: dict[str, list[str]] | None = None
    unit_fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    display_name: str = ""


def course_blocks(chapters: dict[str, list[Sub]], course_fields: dict[str, Any] | None = None) -> list[Block]:
    """The blocks of a course made of ``chapters`` ({chapter id: [Sub, ...]})."""
    fields = {"display_name": "Graded course", "start": "2020-01-01T00:00:00Z", **(course_fields or {})}
    blocks = [Block("course", "course", fields, [("chapter", name) for name in chapters])]
    for chapter, subs in chapters.items():
        blocks.append(Block("chapter", chapter, {"display_name": chapter.title()},
                            [("sequential", s.id) for s in subs]))
        for sub in subs:
            seq_fields: dict[str, Any] = {"display_name": sub.display_name or sub.id.replace("_", " ").title()}
            if sub.format:
                seq_fields["format"] = sub.format
            if sub.graded:
                seq_fields["graded"] = True
            if sub.due:
                seq_fields["due"] = sub.due
            if sub.start:
                seq_fields["start"] = sub.start
            if sub.staff_only:
                seq_fields["visible_to_staff_only"] = True
            units = sub.units or {f"{sub.id}_u{i}": [pid] for i, pid in enumerate(sub.problems)}
            blocks.append(Block("sequential", sub.id, seq_fields, [("vertical", u) for u in units]))
            for unit, problem_ids in units.items():
                blocks.append(Block("vertical", unit, {"display_name": unit, **sub.unit_fields.get(unit, {})},
                                    [("graded", pid) for pid in problem_ids]))
                blocks.extend(Block("graded", pid, {"display_name": pid, "points": sub.problems[pid]})
                              for pid in problem_ids)
    return blocks


def publish(app: Flask, chapters: dict[str, list[Sub]], *, policy: dict[str, Any] | None = None,
            course_id: str = COURSE, course_fields: dict[str, Any] | None = None) -> dict[str, str]:
    """Create (or replace the draft of) and publish the course; returns usage ids by block id."""
    fields = dict(course_fields or {})
    if policy is not None:
        fields["grading_policy"] = policy
    blocks = course_blocks(chapters, fields)
    with app.app_context():
        store = app.extensions["kampus"].driver("content_store")
        try:
            index = store.get_course_index(course_id)
        except CourseNotFound:
            store.create_course(course_id, blocks, ("course", "course"), user_id=None)
        else:
            store.save_draft(course_id, blocks, ("course", "course"), expected_version=index.draft_version,
                             user_id=None)
        store.publish(course_id, user_id=None)
    locator = CourseKey.from_string(course_id)
    return {block.id: str(locator.make_usage_key(block.type, block.id)) for block in blocks}


def answer(client: Any, usage_id: str, earned: float) -> Any:
    """Answer a graded block as the client's user; asserts the handler succeeded."""
    response = client.post(f"/xblock/{usage_id}/handler/answer", data=json.dumps({"earned": earned}),
                           content_type="application/json")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response
