"""Subsection grade overrides are bounded: no more earned points than the subsection's possible ones,
no huge or non-finite numbers, no booleans read as numbers (review of issue 19)."""

from __future__ import annotations

import pytest
from kampus_lms.api import OverrideError, apply_overrides, clean_request, course_grade, enroll

from kampus.testing import make_user

from .conftest import COURSE, Sub, publish

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")

POLICY = {"GRADER": [{"type": "Homework", "min_count": 1, "drop_count": 0, "short_label": "HW", "weight": 1.0}],
          "GRADE_CUTOFFS": {"Pass": 0.5}}


@pytest.fixture
def course(app) -> dict[str, str]:
    return publish(app, {"week1": [Sub("hw1", {"p1": 2, "p2": 2}, "Homework", True), Sub("notes", {"p3": 1})]},
                   policy=POLICY)


@pytest.fixture
def learner(app, course):
    user = make_user(app, "learner")
    with app.app_context():
        enroll(user, COURSE, check_access=False)
    return user


def test_earned_above_possible_points_is_refused(app, course, learner):
    with app.test_request_context():
        request = clean_request(learner.id, course["hw1"], {"earned_graded_override": 50}, "too much")
        with pytest.raises(OverrideError) as raised:
            apply_overrides(COURSE, [request], by_user_id=None)
        assert "possible points (4)" in raised.value.errors[0]
        for values in ({"earned_all_override": 5}, {"earned_graded_override": 6, "possible_graded_override": 5}):
            with pytest.raises(OverrideError):
                apply_overrides(COURSE, [clean_request(learner.id, course["hw1"], values, "r")], by_user_id=None)
        assert course_grade(learner.id, COURSE).percent == 0.0
        # within the possible points, or the overridden possible points: accepted
        apply_overrides(COURSE, [clean_request(learner.id, course["hw1"], {"earned_graded_override": 4}, "r")],
                        by_user_id=None)
        assert course_grade(learner.id, COURSE).percent == 1.0
        apply_overrides(COURSE, [clean_request(learner.id, course["hw1"], {
            "earned_graded_override": 6, "possible_graded_override": 8}, "r")], by_user_id=None)
        assert course_grade(learner.id, COURSE).percent == 0.75


@pytest.mark.parametrize("value", [1e300, "1e300", float("inf"), "nan", True, -1, [1]])
def test_bad_numbers_are_refused(app, course, learner, value):
    assert isinstance(clean_request(learner.id, course["hw1"], {"earned_graded_override": value}, "r"), str)


@pytest.mark.parametrize("user_id", [True, False, 10**30, 1.5, -3, 0, "x"])
def test_bad_user_ids_are_refused(course, user_id):
    assert clean_request(user_id, course["hw1"], {"earned_graded_override": 1}, "r") == "user_id must be an integer"


def test_a_failed_regrade_after_an_override_is_queued_as_a_task(app, course, learner, monkeypatch):
    import sqlalchemy as sa
    from kampus_lms.grades import override_admin
    from kampus_lms.grades.models import PersistentCourseGrade

    from kampus import current_kampus
    from kampus.tasks.api import SUCCESS, TaskRecord

    real, calls = override_admin.update_course_grade, []

    def fails_once(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(override_admin, "update_course_grade", fails_once)
    with app.test_request_context():
        apply_overrides(COURSE, [clean_request(learner.id, course["hw1"], {"earned_graded_override": 3}, "r")],
                        by_user_id=None)
    with app.app_context(), current_kampus().db.session_scope() as db_session:
        [record] = db_session.scalars(sa.select(TaskRecord).where(
            TaskRecord.name == "grades.regrade_after_override")).all()
        assert record.state == SUCCESS and record.course_id == COURSE
        stored = db_session.scalar(sa.select(PersistentCourseGrade.percent_grade).where(
            PersistentCourseGrade.user_id == learner.id))
    assert stored == 0.75  # the grade the override gives, stored by the task
