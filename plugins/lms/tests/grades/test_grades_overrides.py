"""Subsection grade overrides change the learner's course grade and are audited; due-date extensions
change the due date the learner's problems close at (through ``kampus_field_overrides``)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from kampus_lms.api import (
    ExtensionError,
    OverrideError,
    apply_overrides,
    clean_request,
    course_grade,
    enroll,
    extensions_of,
    override_history,
    remove_override,
    reset_due_date_extension,
    set_due_date_extension,
)
from kampus_lms.grades.models import PersistentCourseGrade, SubsectionGradeOverride

from kampus import current_kampus
from kampus.testing import make_user

from .conftest import COURSE, Sub, answer, publish

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")

POLICY = {"GRADER": [{"type": "Homework", "min_count": 1, "drop_count": 0, "short_label": "HW", "weight": 1.0}],
          "GRADE_CUTOFFS": {"Pass": 0.5}}


@pytest.fixture
def course(app) -> dict[str, str]:
    return publish(app, {"week1": [Sub("hw1", {"p1": 2, "p2": 2}, "Homework", True, due="2020-06-01T00:00:00Z"),
                                   Sub("notes", {"p3": 1})]}, policy=POLICY)


def enrolled(app, client):
    with app.app_context():
        enroll(client.user, COURSE, check_access=False)
    return client


def stored_percent(app, user_id: int) -> float:
    with app.app_context(), current_kampus().db.session_scope() as db_session:
        return db_session.scalar(sa.select(PersistentCourseGrade.percent_grade).where(
            PersistentCourseGrade.user_id == user_id))


def test_an_override_changes_the_course_grade_and_is_audited(app, client_as, course, events):
    learner = enrolled(app, client_as("learner"))
    staff = make_user(app, "staff")
    answer(learner, course["p1"], 1)  # hw1 1/4 -> 0.25
    assert stored_percent(app, learner.user.id) == 0.25
    with app.test_request_context():
        request = clean_request(learner.user.id, course["hw1"], {"earned_graded_override": 3,
                                                                 "possible_graded_override": 4}, "regraded by hand")
        apply_overrides(COURSE, [request], by_user_id=staff.id)
        grade = course_grade(learner.user.id, COURSE)
        history = override_history(COURSE, course["hw1"], learner.user.id)
    assert grade.percent == 0.75 and grade.passed
    assert stored_percent(app, learner.user.id) == 0.75  # stored at once, not only on the next read
    [entry] = history
    assert (entry["action"], entry["comments"], entry["history_username"], entry["username"]) == (
        "CREATEORUPDATE", "regraded by hand", staff.username, learner.user.username)
    assert (entry["previous_earned_graded"], entry["previous_possible_graded"]) == (1.0, 4.0)
    assert (entry["earned_graded_override"], entry["possible_graded_override"]) == (3.0, 4.0)
    assert events.of_type("edx.grades.course.grade_calculated")[-1]["event"]["percent_grade"] == 0.75
    # a later answer keeps the override: the subsection's grade stays overridden
    answer(learner, course["p2"], 0)
    assert stored_percent(app, learner.user.id) == 0.75
    with app.test_request_context():
        assert remove_override(COURSE, learner.user.id, course["hw1"], by_user_id=staff.id, comment="undo")
        assert course_grade(learner.user.id, COURSE).percent == 0.25
        actions = [h["action"] for h in override_history(COURSE, course["hw1"])]
    assert actions == ["DELETE", "CREATEORUPDATE"]


def test_an_override_of_an_unattempted_subsection_counts(app, client_as, course):
    learner = enrolled(app, client_as("learner"))
    with app.test_request_context():
        apply_overrides(COURSE, [clean_request(learner.user.id, course["hw1"], {"earned_graded_override": 4},
                                               "excused")], by_user_id=None)
        grade = course_grade(learner.user.id, COURSE)
    assert grade.percent == 1.0
    [hw1] = [s for s in grade.subsections if s.usage_id == course["hw1"]]
    assert hw1.attempted and hw1.graded_total.earned == 4.0 and hw1.graded_total.possible == 4.0


def test_a_batch_with_one_bad_row_writes_nothing(app, client_as, course):
    learner = enrolled(app, client_as("learner"))
    stranger = make_user(app, "user")
    with app.test_request_context():
        rows = [clean_request(learner.user.id, course["hw1"], {"earned_graded_override": 1}, "ok"),
                clean_request(stranger.id, course["hw1"], {"earned_graded_override": 1}, ""),
                clean_request(learner.user.id, course["p1"], {"earned_graded_override": 1}, ""),
                clean_request(learner.user.id, course["hw1"], {"earned_graded_override": -1}, ""),
                clean_request(learner.user.id, course["hw1"], {"earned_graded_override": 5,
                                                               "possible_graded_override": 4}, "")]
        with pytest.raises(OverrideError) as refused:
            apply_overrides(COURSE, rows, by_user_id=None)
    errors = refused.value.errors
    assert errors[0] is None
    assert "not enrolled" in errors[1]
    assert "not a subsection" in errors[2]
    assert "not negative" in errors[3]
    assert "more than" in errors[4]
    with app.app_context(), current_kampus().db.session_scope() as db_session:
        assert db_session.scalar(sa.select(sa.func.count()).select_from(SubsectionGradeOverride)) == 0


def test_an_extension_reopens_a_past_due_problem_for_that_learner_only(app, client_as, course):
    learner = enrolled(app, client_as("learner"))
    other = enrolled(app, client_as("learner"))
    with app.test_request_context():
        with pytest.raises(ExtensionError, match="later than the original"):
            set_due_date_extension(COURSE, learner.user.id, course["hw1"], datetime(2019, 1, 1, tzinfo=UTC))
        with pytest.raises(ExtensionError, match="no due date"):
            set_due_date_extension(COURSE, learner.user.id, course["notes"], datetime(2031, 1, 1, tzinfo=UTC))
    # the graded test block has no "due" field of its own: read the inherited one through the runtime
    from kampus_content.api import KampusRuntime, get_structure

    def due_seen(user):
        with app.test_request_context():
            return _due(KampusRuntime(get_structure(COURSE), user=user), course["p1"])

    assert due_seen(learner.user) == "2020-06-01T00:00:00Z"
    with app.test_request_context():
        extension = set_due_date_extension(COURSE, learner.user.id, course["hw1"],
                                           datetime(2031, 1, 1, tzinfo=UTC), reason="illness")
    assert extension.extended_due == datetime(2031, 1, 1, tzinfo=UTC)
    assert extension.original_due == datetime(2020, 6, 1, tzinfo=UTC)
    assert datetime.fromisoformat(due_seen(learner.user)) == datetime(2031, 1, 1, tzinfo=UTC)
    assert due_seen(other.user) == "2020-06-01T00:00:00Z"
    with app.test_request_context():
        assert [e.username for e in extensions_of(COURSE, usage_id=course["hw1"])] == [learner.user.username]
        reset_due_date_extension(COURSE, learner.user.id, course["hw1"])
        with pytest.raises(ExtensionError, match="No due date extension"):
            reset_due_date_extension(COURSE, learner.user.id, course["hw1"])
    assert due_seen(learner.user) == "2020-06-01T00:00:00Z"


def _due(runtime, usage_id: str):
    """The ``due`` the runtime gives the block (its own value, an override, or inherited)."""
    from opaque_keys.edx.keys import UsageKey

    key = UsageKey.from_string(usage_id)
    overridden, value = runtime.field_override(key, "due")
    if overridden:
        return value
    found, value = runtime.inherited_value(key, "due")
    return value if found else None
