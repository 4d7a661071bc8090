"""A course of CAPA problems for the learner admin and gradebook tests: a graded homework subsection due
in 2099 holding a text problem whose expected answer a test may change and republish, a graded one already
past due (``late``), and an ungraded practice subsection; helpers to answer a problem as a learner and to
call the API with a token."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from kampus_content.api import CourseNotFound
from kampus_content.store.interface import Block
from kampus_lms.api import enroll
from opaque_keys.edx.keys import CourseKey

from kampus import current_kampus
from kampus.identity.tokens import create_token
from kampus.testing import DEFAULT_COURSE, make_user

COURSE = DEFAULT_COURSE
PAST_DUE = "2020-06-01T00:00:00Z"
FUTURE_DUE = "2099-01-01T00:00:00Z"
POLICY = {"GRADER": [{"type": "Homework", "min_count": 1, "drop_count": 0, "short_label": "HW", "weight": 1.0}],
          "GRADE_CUTOFFS": {"Pass": 0.5}}


def text_problem(answer: str) -> str:
    return (f'<problem><stringresponse answer="{answer}" type="ci"><label>Capital?</label>'
            '<textline size="20"/></stringresponse></problem>')


def course_blocks(answer: str = "Paris") -> list[Block]:
    return [
        Block("course", "course", {"display_name": "Admin course", "start": "2020-01-01T00:00:00Z",
                                   "grading_policy": POLICY}, [("chapter", "week1")]),
        Block("chapter", "week1", {"display_name": "Week 1"},
              [("sequential", "hw1"), ("sequential", "late"), ("sequential", "practice")]),
        Block("sequential", "hw1", {"display_name": "Homework 1", "format": "Homework", "graded": True,
                                    "due": FUTURE_DUE}, [("vertical", "u1")]),
        Block("vertical", "u1", {"display_name": "Unit 1"}, [("problem", "capital"), ("problem", "capital2")]),
        Block("problem", "capital", {"display_name": "Capital", "data": text_problem(answer)}),
        Block("problem", "capital2", {"display_name": "Capital again", "data": text_problem("Rome")}),
        Block("sequential", "late", {"display_name": "Late homework", "format": "Homework", "graded": True,
                                     "due": PAST_DUE}, [("vertical", "u3")]),
        Block("vertical", "u3", {"display_name": "Unit 3"}, [("problem", "late_problem")]),
        Block("problem", "late_problem", {"display_name": "Late problem", "data": text_problem("Madrid")}),
        Block("sequential", "practice", {"display_name": "Practice"}, [("vertical", "u2")]),
        Block("vertical", "u2", {"display_name": "Unit 2"}, [("problem", "free")]),
        Block("problem", "free", {"display_name": "Free", "data": text_problem("Berlin")}),
    ]


def publish(app: Flask, answer: str = "Paris") -> dict[str, str]:
    """Create (or replace the draft of) and publish the course; usage ids by block id."""
    blocks = course_blocks(answer)
    with app.app_context():
        store = app.extensions["kampus"].driver("content_store")
        try:
            index = store.get_course_index(COURSE)
        except CourseNotFound:
            store.create_course(COURSE, blocks, ("course", "course"), user_id=None)
        else:
            store.save_draft(COURSE, blocks, ("course", "course"), expected_version=index.draft_version, user_id=None)
        store.publish(COURSE, user_id=None)
    locator = CourseKey.from_string(COURSE)
    return {block.id: str(locator.make_usage_key(block.type, block.id)) for block in blocks}


def input_name(usage_id: str) -> str:
    block_id = usage_id.rsplit("@", 1)[-1]
    return f"input_{block_id}_2_1"


def check(client: Any, usage_id: str, text: str) -> Any:
    """Submit ``text`` to a problem as the client's learner."""
    return client.post(f"/xblock/{usage_id}/handler/problem_check", data={input_name(usage_id): text})


def enrolled_learner(app: Flask, client_as: Any) -> Any:
    client = client_as("learner")
    with app.app_context():
        enroll(client.user, COURSE, check_access=False)
    return client


def token_of(app: Flask, role: str) -> tuple[Any, dict[str, str]]:
    """A new user holding ``role`` and the Authorization header of a personal token of theirs."""
    user = make_user(app, role)
    with app.app_context(), current_kampus().db.session_scope() as db_session:
        _record, token = create_token(db_session, db_session.merge(user), "tests")
    return user, {"Authorization": f"Bearer {token}"}


@pytest.fixture
def kampus_plugins() -> list[str]:
    return ["content", "problems", "lms", "instructor"]


@pytest.fixture
def course(app: Flask) -> dict[str, str]:
    return publish(app)
