"""Fixtures of the reports tests: a graded course of capa problems, learners enrolled in bulk, answering
problems through the problem handler, and reading a report's CSV back."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from kampus_content.store.interface import Block
from kampus_lms.api import enroll
from opaque_keys.edx.keys import CourseKey

from kampus.identity.models import User
from kampus.testing import DEFAULT_COURSE, login

COURSE = DEFAULT_COURSE

#: One multiple-choice input (1 point): choice_1 is right.
MC = """<problem>
<multiplechoiceresponse>
  <label>Which planet is the largest?</label>
  <choicegroup type="MultipleChoice">
    <choice correct="false">Mars</choice>
    <choice correct="true">Jupiter</choice>
    <choice correct="false">Venus</choice>
  </choicegroup>
</multiplechoiceresponse>
</problem>"""

#: Two inputs (2 points, weight 10): "Paris" and 4500 (5 %).
TWO = """<problem>
<stringresponse answer="Paris" type="ci"><label>Capital of France?</label><textline size="20"/></stringresponse>
<numericalresponse answer="4500"><label>How many?</label><responseparam type="tolerance" default="5%"/>
<formulaequationinput/></numericalresponse>
</problem>"""

POLICY = {
    "GRADER": [
        {"type": "Homework", "short_label": "HW", "min_count": 1, "drop_count": 0, "weight": 0.5},
        {"type": "Final Exam", "short_label": "Final", "min_count": 1, "drop_count": 0, "weight": 0.5},
    ],
    "GRADE_CUTOFFS": {"Pass": 0.5},
}


@pytest.fixture
def kampus_plugins() -> list[str]:
    return ["content", "problems", "lms", "instructor"]


def publish_graded_course(app: Flask, course_id: str = COURSE) -> dict[str, str]:
    """A course with a graded Homework (problem ``mc``) and a graded Final Exam (problem ``two``,
    weight 10); returns usage ids by block id."""
    blocks = [
        Block("course", "course", {"display_name": "Reports course", "start": "2020-01-01T00:00:00Z",
                                   "grading_policy": POLICY}, [("chapter", "week1")]),
        Block("chapter", "week1", {"display_name": "Week 1"}, [("sequential", "hw1"), ("sequential", "exam")]),
        Block("sequential", "hw1", {"display_name": "Homework 1", "format": "Homework", "graded": True},
              [("vertical", "u1")]),
        Block("sequential", "exam", {"display_name": "Exam", "format": "Final Exam", "graded": True},
              [("vertical", "u2")]),
        Block("vertical", "u1", {"display_name": "Unit 1"}, [("problem", "mc")]),
        Block("vertical", "u2", {"display_name": "Unit 2"}, [("problem", "two")]),
        Block("problem", "mc", {"display_name": "Planets", "data": MC}),
        Block("problem", "two", {"display_name": "Capitals", "data": TWO, "weight": 10}),
    ]
    with app.app_context():
        store = app.extensions["kampus"].driver("content_store")
        store.create_course(course_id, blocks, ("course", "course"), user_id=None)
        store.publish(course_id, user_id=None)
    locator = CourseKey.from_string(course_id)
    return {block.id: str(locator.make_usage_key(block.type, block.id)) for block in blocks}


def enroll_many(app: Flask, count: int, prefix: str = "learner", course_id: str = COURSE) -> list[Any]:
    """Create ``count`` accounts (no password: fast) and enroll them; returns the users."""
    kampus = app.extensions["kampus"]
    with kampus.db.session_scope() as db_session:
        users = [User(username=f"{prefix}{i:05d}", email=f"{prefix}{i:05d}@example.com", name=f"Learner {i}",
                      is_active=True) for i in range(count)]
        db_session.add_all(users)
        db_session.flush()
        ids = [user.id for user in users]
    with app.app_context():
        from kampus import db

        accounts = list(db.session().scalars(sa.select(User).where(User.id.in_(ids)).order_by(User.id)))
        for user in accounts:
            enroll(user, course_id, check_access=False)
    with kampus.db.session_scope() as db_session:
        accounts = list(db_session.scalars(sa.select(User).where(User.id.in_(ids)).order_by(User.id)))
        db_session.expunge_all()
    return accounts


def learner_client(app: Flask, user: Any) -> Any:
    """A test client logged in as ``user``."""
    return login(app.test_client(), user)


def answer(client: Any, usage_id: str, answers: dict[str, str]) -> dict[str, Any]:
    """Submit answers to a problem (``problem_check``); returns its JSON answer."""
    response = client.post(f"/xblock/{usage_id}/handler/problem_check", data=answers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def read_csv(client: Any, url: str) -> list[list[str]]:
    """Download a report and parse it."""
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def newest_report(client: Any, course_id: str = COURSE) -> dict[str, Any]:
    """The newest entry of ``list_report_downloads``."""
    response = client.post(f"/courses/{course_id}/instructor/api/list_report_downloads")
    assert response.status_code == 200, response.get_data(as_text=True)
    downloads = response.get_json()["downloads"]
    assert downloads, "no report was written"
    return downloads[0]
