"""A grader's reply reaches the learner's score and their stored course grade within ``put_result``."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from kampus_content.api import score_of
from kampus_content.store.interface import Block
from kampus_lms.api import enroll, stored_course_grades

from kampus.testing import DEFAULT_COURSE, recording_statements

from .conftest import CODE, QUEUE, pull, put, submit_code

pytestmark = pytest.mark.kampus_plugins("content", "problems", "xqueue", "lms")


@pytest.fixture
def graded_course(app):
    """A course whose only graded subsection (all the grade) holds two coderesponse problems of 1 point."""
    policy = {"GRADER": [{"type": "Homework", "min_count": 1, "drop_count": 0, "short_label": "HW", "weight": 1.0}],
              "GRADE_CUTOFFS": {"Pass": 0.5}}
    blocks = [
        Block("course", "course", {"display_name": "Queue course", "start": "2020-01-01T00:00:00Z",
                                   "grading_policy": policy}, [("chapter", "week1")]),
        Block("chapter", "week1", {"display_name": "Week 1"}, [("sequential", "hw1")]),
        Block("sequential", "hw1", {"display_name": "Homework 1", "format": "Homework", "graded": True},
              [("vertical", "unit1")]),
        Block("vertical", "unit1", {"display_name": "Unit 1"}, [("problem", "first"), ("problem", "second")]),
        *[Block("problem", name, {"display_name": name, "data": CODE.format(queue="")}, [])
          for name in ("first", "second")],
    ]
    with app.app_context():
        store = app.extensions["kampus"].driver("content_store")
        store.create_course(DEFAULT_COURSE, blocks, ("course", "course"), user_id=None)
        store.publish(DEFAULT_COURSE, user_id=None)
    prefix = f"block-v1:{DEFAULT_COURSE.split(':', 1)[1]}+type@problem+block@"
    return {"first": prefix + "first", "second": prefix + "second"}


def test_put_result_stores_the_score_and_the_course_grade_at_once(app, graded_course, grader, client_as):
    learner = client_as("user")
    with app.app_context():
        enroll(learner.user, DEFAULT_COURSE, check_access=False)
    engine = app.extensions["kampus"].db.engine
    commits: list[object] = []

    def committed(connection: object) -> None:
        commits.append(connection)

    for usage, expected_percent in ((graded_course["first"], 0.5), (graded_course["second"], 1.0)):
        assert submit_code(learner, usage).status_code == 200
        header = json.loads(pull(grader, QUEUE)["content"])["xqueue_header"]
        commits.clear()
        sa.event.listen(engine, "commit", committed)
        try:
            with recording_statements(app) as recorded:
                assert put(grader, header, {"correct": True, "score": 1, "msg": "<p>ok</p>"})["return_code"] == 0
        finally:
            sa.event.remove(engine, "commit", committed)
        with app.app_context():
            score = score_of(learner.user.id, usage)
            [stored] = stored_course_grades(DEFAULT_COURSE, [learner.user.id])  # the row as stored, not recomputed
        assert (score.earned, score.possible) == (1, 1)
        assert stored["percent"] == pytest.approx(expected_percent) and stored["passed"] is True
        # Two transactions: the reply with the score, then the grade, computed from the scores it read in the
        # transaction that stores it; no read of a certificate the course does not give.
        assert len(commits) == 2
        assert len([q for q in recorded.touching("content_score") if q.lstrip().upper().startswith("SELECT")]) == 1
        assert recorded.touching("lms_generated_certificate") == []
