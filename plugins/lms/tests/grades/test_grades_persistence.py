"""Persistent grades: a committed score change updates the learner's subsection and course rows (and
announces them), the same scores write nothing, released blocks only count, a policy change on
publish regrades everyone in the background, and the grading hooks are called."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from kampus_hookspecs import hookimpl
from kampus_lms.api import (
    CourseGradeResult,
    CourseGradingInput,
    NoGrades,
    OpenEdxGrader,
    course_grade,
    recompute_course_grade,
    regrade_learners,
)
from kampus_lms.grades.models import GradingMaxScores, PersistentCourseGrade, PersistentSubsectionGrade
from kampus_lms.grades.persistence import _insert_subsections, _subsection_values
from sqlalchemy.exc import OperationalError

from kampus import current_kampus
from kampus.tasks.api import TaskRecord
from kampus.testing import client_as as login_as
from kampus.testing import make_user, recording_statements

from .conftest import COURSE, Sub, answer, publish

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")

POLICY = {"GRADER": [{"type": "Homework", "min_count": 2, "drop_count": 0, "short_label": "HW", "weight": 0.5},
                     {"type": "Exam", "min_count": 1, "drop_count": 0, "weight": 0.5}],
          "GRADE_CUTOFFS": {"A": 0.9, "Pass": 0.5}}


def chapters(**overrides: Any) -> dict[str, list[Sub]]:
    return {
        "week1": [Sub("hw1", {"p1": 1, "p2": 3}, "Homework", True, due="2030-01-01T00:00:00Z"),
                  Sub("practice", {"p3": 2})],
        "week2": [Sub("hw2", {"p4": 2}, "Homework", True), Sub("exam", {"p5": 10}, "Exam", True)],
        **overrides,
    }


@pytest.fixture
def course(app) -> dict[str, str]:
    return publish(app, chapters(), policy=POLICY)


def rows(app, model) -> list[Any]:
    with app.app_context(), current_kampus().db.session_scope() as db_session:
        return list(db_session.scalars(sa.select(model).order_by(model.id)))


def last_regrade(app) -> TaskRecord:
    with app.app_context(), current_kampus().db.session_scope() as db_session:
        return db_session.scalars(sa.select(TaskRecord).where(TaskRecord.name == "grades.regrade_course")
                                  .order_by(TaskRecord.created_at.desc())).first()


def grade_of(app, user_id: int):
    with app.app_context():
        return course_grade(user_id, COURSE)


def test_a_score_change_updates_the_rows_and_announces_them(app, client_as, course, events):
    learner = client_as("learner")
    answer(learner, course["p1"], 1)
    answer(learner, course["p2"], 2)  # hw1 3/4
    [subsection] = rows(app, PersistentSubsectionGrade)
    assert (subsection.usage_key, subsection.earned_graded, subsection.possible_graded) == (course["hw1"], 3.0, 4.0)
    assert subsection.first_attempted is not None
    [stored] = rows(app, PersistentCourseGrade)
    # HW: (0.75 + 0 placeholder hw2 counts 0 of 2) / 2 = 0.375 * 0.5 = 0.1875; exam 0 -> 0.19 (0.1875 + .0005)
    assert (stored.user_id, stored.percent_grade, stored.letter_grade, stored.passed) == (learner.user.id, 0.19, "",
                                                                                          False)
    answer(learner, course["p5"], 10)  # exam 10/10 -> 0.1875 + 0.5 = 0.6875 -> 0.69 Pass
    [stored] = rows(app, PersistentCourseGrade)
    assert (stored.percent_grade, stored.letter_grade, stored.passed) == (0.69, "Pass", True)
    assert stored.passed_timestamp is not None
    course_events = events.of_type("edx.grades.course.grade_calculated")
    # 1/4, then 3/4 in hw1, then the exam
    assert [e["event"]["percent_grade"] for e in course_events] == [0.06, 0.19, 0.69]
    assert course_events[-1]["event"]["user_id"] == learner.user.id
    assert course_events[-1]["event"]["event_transaction_type"] == "edx.grades.problem.submitted"
    assert course_events[-1]["event"]["grading_policy_hash"] == stored.grading_policy_hash
    sub_events = events.of_type("edx.grades.subsection.grade_calculated")
    assert sub_events[-1]["event"]["block_id"] == course["exam"]
    assert sub_events[-1]["event"]["weighted_graded_earned"] == 10.0
    # the API reads the same grade, with the subsections in course order and their labels
    grade = grade_of(app, learner.user.id)
    assert (grade.percent, grade.letter_grade, grade.passed) == (0.69, "Pass", True)
    assert [s.usage_id for s in grade.subsections] == [course[k] for k in ("hw1", "practice", "hw2", "exam")]
    assert [s.label for s in grade.subsections] == ["HW 01", "", "HW 02", "Exam"]
    assert grade.passed_timestamp == stored.passed_timestamp


def test_the_same_scores_again_write_nothing(app, client_as, course, events):
    learner = client_as("learner")
    answer(learner, course["p1"], 1)
    before = rows(app, PersistentCourseGrade)[0].modified
    events.clear()
    with recording_statements(app) as recorder:
        grade_of(app, learner.user.id)
        with app.app_context():
            recompute_course_grade(learner.user.id, COURSE)
    assert recorder.writes() == []
    assert rows(app, PersistentCourseGrade)[0].modified == before
    assert events.of_type("edx.grades.course.grade_calculated") == []


def test_a_lower_score_after_passing_keeps_the_first_passing_time(app, client_as, course):
    learner = client_as("learner")
    answer(learner, course["p5"], 10)
    answer(learner, course["p4"], 2)
    first = rows(app, PersistentCourseGrade)[0]
    assert first.passed
    answer(learner, course["p5"], 0)
    again = rows(app, PersistentCourseGrade)[0]
    assert not again.passed and again.passed_timestamp == first.passed_timestamp


def test_stale_rows_are_repaired_on_read(app, client_as, course):
    learner = client_as("learner")
    answer(learner, course["p5"], 10)
    with app.app_context(), current_kampus().db.session_scope() as db_session:
        db_session.execute(sa.update(PersistentCourseGrade).values(percent_grade=0.01, passed=False))
        db_session.execute(sa.delete(PersistentSubsectionGrade))
    grade = grade_of(app, learner.user.id)
    assert grade.percent == 0.5
    [stored] = rows(app, PersistentCourseGrade)
    assert stored.percent_grade == 0.5 and stored.passed
    assert [row.usage_key for row in rows(app, PersistentSubsectionGrade)] == [course["exam"]]


def test_unreleased_and_staff_only_blocks_do_not_count_for_learners(app, client_as):
    course = publish(app, {"week1": [Sub("exam", {"p1": 1}, "Exam", True),
                                     Sub("later", {"p2": 9}, "Exam", True, start="2099-01-01T00:00:00Z"),
                                     Sub("hidden", {"p3": 9}, "Exam", True, staff_only=True)]},
                     policy={"GRADER": [{"type": "Exam", "min_count": 1, "drop_count": 0, "weight": 1.0}],
                             "GRADE_CUTOFFS": {"Pass": 0.5}})
    learner = client_as("learner")
    answer(learner, course["p1"], 1)
    grade = grade_of(app, learner.user.id)
    assert [s.usage_id for s in grade.subsections] == [course["exam"]]
    assert grade.percent == 1.0  # only the released exam counts
    staff = make_user(app, "staff")
    with app.app_context():
        staff_grade = course_grade(staff.id, COURSE)
    assert [s.usage_id for s in staff_grade.subsections] == [course["exam"], course["later"], course["hidden"]]
    assert [s.graded_total.possible for s in staff_grade.subsections] == [1.0, 9.0, 9.0]


def test_possible_points_of_unanswered_blocks_come_from_the_blocks_and_are_stored_per_version(app, client_as,
                                                                                                course):
    learner = client_as("learner")
    grade = grade_of(app, learner.user.id)
    assert [s.graded_total.possible for s in grade.subsections] == [4.0, 0.0, 2.0, 10.0]
    assert [s.all_total.possible for s in grade.subsections] == [4.0, 2.0, 2.0, 10.0]
    assert [p.possible for p in grade.subsections[0].problem_scores] == [1.0, 3.0]
    [stored] = rows(app, GradingMaxScores)
    assert stored.course_id == COURSE and '"' + course["p5"] + '": 10.0' in stored.max_scores


def test_a_policy_change_on_publish_regrades_every_learner_in_the_background(app, client_as, course, events):
    learners = [client_as("learner") for _ in range(3)]
    for i, learner in enumerate(learners):
        answer(learner, course["p5"], [10, 5, 0][i])
    assert [row.percent_grade for row in rows(app, PersistentCourseGrade)] == [0.5, 0.25, 0.0]
    events.clear()
    exam_only = {"GRADER": [{"type": "Exam", "min_count": 1, "drop_count": 0, "weight": 1.0}],
                 "GRADE_CUTOFFS": {"Pass": 0.5}}
    publish(app, chapters(), policy=exam_only)  # Celery is eager in tests: the task has run
    assert [row.percent_grade for row in rows(app, PersistentCourseGrade)] == [1.0, 0.5, 0.0]
    assert [row.passed for row in rows(app, PersistentCourseGrade)] == [True, True, False]
    changed = events.of_type("edx.grades.course.grade_calculated")
    assert {e["event"]["event_transaction_type"] for e in changed} == {"edx.grades.grading_policy_changed"}
    # the third learner's percent stays 0, but their row records the new policy and breakdown
    assert sorted(e["event"]["percent_grade"] for e in changed) == [0.0, 0.5, 1.0]
    record = last_regrade(app)
    assert record.state == "SUCCESS" and record.result["regraded"] == 3
    assert (record.progress_current, record.progress_total) == (3, 3)


def test_a_publish_that_changes_nothing_graded_regrades_nobody(app, client_as, course, events):
    learner = client_as("learner")
    answer(learner, course["p5"], 10)
    events.clear()
    renamed = chapters()
    renamed["week1"][1].display_name = "Practice, renamed"
    publish(app, renamed, policy=POLICY)
    assert events.of_type("edx.grades.course.grade_calculated") == []
    assert last_regrade(app).result["changed"] is False


class UnitWeightGrader:
    """A second grader: each unit's score (earned/possible of its blocks) times the unit's ``weight``
    setting (default 1), over the sum of the weights; passing at 0.6."""

    def grade(self, course):
        weights: dict[str, float] = {}
        earned: dict[str, float] = {}
        possible: dict[str, float] = {}
        for sub in course.subsections:
            for score in sub.problem_scores:
                unit = score.unit_id.rsplit("@", 1)[-1]
                weights[unit] = float(course.structure.blocks[("vertical", unit)].fields.get("weight", 1))
                earned[unit] = earned.get(unit, 0.0) + score.earned
                possible[unit] = possible.get(unit, 0.0) + score.possible
        total = sum(weights.values())
        percent = sum(weights[u] * (earned[u] / possible[u] if possible[u] else 0) for u in weights) / total
        percent = round(percent, 2)
        return CourseGradeResult(percent=percent, letter_grade="Pass" if percent >= 0.6 else None,
                                 passed=percent >= 0.6)


class GraderPlugin:
    def __init__(self) -> None:
        self.asked: list[tuple[str, dict]] = []

    @hookimpl
    def kampus_course_grader(self, course_id, policy):
        self.asked.append((course_id, policy))
        return UnitWeightGrader()


def test_kampus_course_grader_replaces_the_grader(make_app, client_as):
    plugin = GraderPlugin()
    app = make_app(plugins=["content", "problems", "lms", plugin])
    course = publish(app, {"week1": [Sub("s1", {"a": 1, "b": 1}, "Homework", True,
                                         units={"u1": ["a"], "u2": ["b"]}, unit_fields={"u1": {"weight": 3}})]},
                     policy=POLICY)
    learner = login_as(app, "learner")
    answer(learner, course["a"], 1)  # u1 full (weight 3), u2 empty (weight 1) -> 3/4 = 0.75
    with app.app_context():
        grade = course_grade(learner.user.id, COURSE)
    assert (grade.percent, grade.letter_grade, grade.passed) == (0.75, "Pass", True)
    assert plugin.asked and plugin.asked[-1][0] == COURSE and plugin.asked[-1][1]["GRADE_CUTOFFS"] == POLICY[
        "GRADE_CUTOFFS"]
    # the Open edX grader would give HW (1/2 -> 0.5 and a placeholder 0) / 2 * 0.5 = 0.125 -> 0.13
    assert OpenEdxGrader(POLICY).grade(_input(grade, POLICY)).percent == 0.13
    [stored] = rows(app, PersistentCourseGrade)
    assert stored.percent_grade == 0.75 and stored.passed


def _input(grade, policy):
    return CourseGradingInput(grade.user_id, grade.course_id, policy, grade.subsections, None)


class CurvePlugin:
    @hookimpl
    def kampus_grade_computed(self, user_id, course_id, grade):
        assert grade["percent"] == 0.25 and "grade_breakdown" in grade
        return {**grade, "percent": 0.5, "letter_grade": "Pass", "passed": True}


def test_kampus_grade_computed_adjusts_the_grade(make_app, hook_calls):
    app = make_app(plugins=["content", "problems", "lms", CurvePlugin()])
    course = publish(app, chapters(), policy=POLICY)
    learner = login_as(app, "learner")
    answer(learner, course["p5"], 5)  # 0.25 computed, curved to 0.5
    [stored] = rows(app, PersistentCourseGrade)
    assert (stored.percent_grade, stored.letter_grade, stored.passed) == (0.5, "Pass", True)


def test_the_hooks_are_called_with_the_policy_and_the_grade(app, client_as, course, hook_calls):
    learner = client_as("learner")
    answer(learner, course["p5"], 10)
    graders = hook_calls.of("kampus_course_grader")
    assert graders and graders[-1]["course_id"] == COURSE and graders[-1]["policy"]["GRADER"] == POLICY["GRADER"]
    computed = hook_calls.of("kampus_grade_computed")
    assert computed[-1]["user_id"] == learner.user.id and computed[-1]["grade"]["percent"] == 0.5


def test_recompute_costs_a_constant_number_of_queries(app, client_as):
    big = {f"week{c}": [Sub(f"hw{c}_{s}", {f"p{c}_{s}_{i}": 1 for i in range(5)}, "Homework", True)
                        for s in range(4)] for c in range(5)}
    small = {"week0": [Sub("hw0_0", {"p0_0_0": 1}, "Homework", True)]}
    counts = []
    for spec, course_id in ((small, "course-v1:X+Small+1"), (big, "course-v1:X+Big+1")):
        ids = publish(app, spec, policy=POLICY, course_id=course_id)
        learner = make_user(app, "learner", course_id=course_id)
        with app.app_context():
            course_grade(learner.id, course_id)  # first read: rows written, caches warm
        first = next(v for k, v in ids.items() if k.startswith("p"))
        assert first
        with recording_statements(app) as recorder, app.app_context():
            course_grade(learner.id, course_id)
        counts.append(recorder.count)
    assert counts[0] == counts[1] <= 7  # scores and subsection overrides: one query each


def test_regrade_learners_stores_each_grade_as_the_regrade_task_does(app, client_as, course):
    """``regrade_learners`` (what bench/instructor.py times in two processes) computes and stores the grades."""
    first, second = client_as("learner"), client_as("learner")
    answer(first, course["p1"], 1)
    answer(second, course["p5"], 10)
    ids = [first.user.id, second.user.id]
    expected = {user_id: grade_of(app, user_id).percent for user_id in ids}
    with app.app_context(), current_kampus().db.session_scope() as db_session:
        db_session.execute(sa.delete(PersistentCourseGrade))
    assert rows(app, PersistentCourseGrade) == []
    with app.app_context():
        assert regrade_learners(COURSE, ids) == 2
        with pytest.raises(NoGrades):
            regrade_learners("course-v1:X+Nowhere+1", ids)
    stored = {row.user_id: row.percent_grade for row in rows(app, PersistentCourseGrade)}
    assert stored == expected and expected[second.user.id] > expected[first.user.id] > 0


def test_subsection_rows_inserted_together_fall_back_to_one_at_a_time_on_a_concurrent_insert(app, client_as,
                                                                                           course):
    """A first grade inserts its subsection rows in one savepoint; when another writer stored one of them in
    the meantime, the rows are written one at a time and theirs is updated: one row per subsection, no error."""
    learner = client_as("learner")
    answer(learner, course["p1"], 1)
    answer(learner, course["p4"], 2)
    grade = grade_of(app, learner.user.id)
    attempted = [sub for sub in grade.subsections if sub.attempted]
    assert len(attempted) == 2
    with app.app_context(), current_kampus().db.session_scope() as db_session:
        db_session.execute(sa.delete(PersistentSubsectionGrade))
    with app.app_context(), current_kampus().db.session_scope() as other:  # the concurrent writer, first
        other.add(PersistentSubsectionGrade(
            user_id=learner.user.id, course_id=COURSE, usage_key=attempted[0].usage_id, course_version="older",
            earned_all=0, possible_all=1, earned_graded=0, possible_graded=1, first_attempted=None,
            visible_blocks_hash="older", created=datetime.now(UTC), modified=datetime.now(UTC)))
    missing = [(sub, _subsection_values(sub, grade.course_version)) for sub in attempted]
    with app.app_context(), current_kampus().db.session_scope() as db_session:
        written = _insert_subsections(db_session, grade, missing)
    assert [sub.usage_id for sub in written] == [sub.usage_id for sub in attempted]
    stored = {row.usage_key: row for row in rows(app, PersistentSubsectionGrade)}
    assert set(stored) == {sub.usage_id for sub in attempted}
    assert all(stored[sub.usage_id].course_version == grade.course_version
               and stored[sub.usage_id].earned_all == sub.all_total.earned for sub in attempted)


def _stored_values(app) -> dict[str, Any]:
    """The stored grade rows' values (ids and times left out), by learner and subsection."""
    courses = {row.user_id: (row.percent_grade, row.letter_grade, row.passed, row.course_version,
                             row.grading_policy_hash, row.visibility, row.scores_count, row.summary)
               for row in rows(app, PersistentCourseGrade)}
    subsections = {(row.user_id, row.usage_key): (row.earned_all, row.possible_all, row.earned_graded,
                                                  row.possible_graded, row.visible_blocks_hash, row.course_version)
                   for row in rows(app, PersistentSubsectionGrade)}
    return {"courses": courses, "subsections": subsections}


def test_a_regrade_batch_stores_what_grading_one_learner_at_a_time_stores(app, client_as, events):
    """The background regrade's batches (one transaction, the rows read and written together) keep the rules of
    a single learner's grade: missing rows inserted, current rows left alone (no write, no event), stale rows
    updated, rows of subsections no longer attempted deleted, and course staff graded on staff-only blocks."""
    course = publish(app, {"week1": [Sub("hw1", {"p1": 1, "p2": 3}, "Homework", True),
                                     Sub("hw2", {"p4": 2}, "Homework", True)],
                           "week2": [Sub("exam", {"p5": 10}, "Exam", True),
                                     Sub("hidden", {"p3": 9}, "Exam", True, staff_only=True)]}, policy=POLICY)
    fresh, current, stale = client_as("learner"), client_as("learner"), client_as("learner")
    staff = client_as("staff")
    answer(fresh, course["p1"], 1)
    answer(fresh, course["p5"], 7)
    answer(current, course["p4"], 2)
    answer(stale, course["p5"], 10)
    answer(stale, course["p2"], 3)
    answer(staff, course["p3"], 9)
    expected = _stored_values(app)  # each stored as one learner's score change stores it
    assert (staff.user.id, course["hidden"]) in expected["subsections"]
    with app.app_context(), current_kampus().db.session_scope() as db_session:
        for model in (PersistentSubsectionGrade, PersistentCourseGrade):
            db_session.execute(sa.delete(model).where(model.user_id == fresh.user.id))
        db_session.execute(sa.update(PersistentCourseGrade).where(PersistentCourseGrade.user_id == stale.user.id)
                           .values(percent_grade=0.01, passed=False))
        db_session.add(PersistentSubsectionGrade(  # a subsection the learner no longer counts as attempted
            user_id=stale.user.id, course_id=COURSE, usage_key=course["hw2"], course_version="older",
            earned_all=1, possible_all=2, earned_graded=1, possible_graded=2, first_attempted=datetime.now(UTC),
            visible_blocks_hash="older", created=datetime.now(UTC), modified=datetime.now(UTC)))
    passed_before = {row.user_id: row.passed_timestamp for row in rows(app, PersistentCourseGrade)}
    events.clear()
    ids = [fresh.user.id, current.user.id, stale.user.id, staff.user.id]
    with recording_statements(app) as recorder, app.app_context():
        assert regrade_learners(COURSE, ids) == 4
    assert _stored_values(app) == expected
    passed_after = {row.user_id: row.passed_timestamp for row in rows(app, PersistentCourseGrade)}
    assert passed_before[stale.user.id] is not None  # the stale row was made "not passed", its first time kept
    assert {k: passed_after[k] for k in passed_before} == passed_before
    assert (passed_after[fresh.user.id] is not None) == expected["courses"][fresh.user.id][2]
    course_events = events.of_type("edx.grades.course.grade_calculated")
    assert sorted(e["event"]["user_id"] for e in course_events) == sorted([fresh.user.id, stale.user.id])
    subsection_events = events.of_type("edx.grades.subsection.grade_calculated")
    assert sorted((e["event"]["user_id"], e["event"]["block_id"]) for e in subsection_events) == sorted(
        [(fresh.user.id, course["hw1"]), (fresh.user.id, course["exam"])])
    # one INSERT a table for the whole batch, one UPDATE (the stale course row), one DELETE
    assert len(recorder.writes("INTO lms_grades_subsection")) == 1
    assert len(recorder.writes("INTO lms_grades_course")) == 1
    with recording_statements(app) as again, app.app_context():
        regrade_learners(COURSE, ids)
    assert again.writes() == []  # every grade is current now


@pytest.mark.parametrize("refusal", ["conflict", "deadlock"])
def test_a_regrade_batch_whose_rows_were_written_meanwhile_is_graded_one_learner_at_a_time(
        app, client_as, course, events, monkeypatch, refusal):
    """When another writer inserted one of a batch's new rows first (``BatchConflict``), the batch's transaction
    is rolled back and its learners are graded one at a time: every grade stored once, announced once."""
    from kampus_lms.grades import persistence, service

    learners = [client_as("learner") for _ in range(3)]
    for i, learner in enumerate(learners):
        answer(learner, course["p5"], [10, 5, 2][i])
    expected = _stored_values(app)
    with app.app_context(), current_kampus().db.session_scope() as db_session:
        db_session.execute(sa.delete(PersistentSubsectionGrade))
        db_session.execute(sa.delete(PersistentCourseGrade))
    conflicts = []

    def sync_then_conflict(db_session, computed, **options):
        persistence.sync_grades(db_session, computed, **options)  # written in the batch's transaction, refused
        conflicts.append(len(computed))
        if refusal == "deadlock":
            raise OperationalError("INSERT ...", {}, Exception("1213 Deadlock found when trying to get lock"))
        raise persistence.BatchConflict("another writer was first")

    monkeypatch.setattr(service, "sync_grades", sync_then_conflict)
    events.clear()
    with app.app_context():
        assert regrade_learners(COURSE, [learner.user.id for learner in learners]) == 3
    assert conflicts == [3]
    assert _stored_values(app) == expected
    assert len(events.of_type("edx.grades.course.grade_calculated")) == 3


def test_sync_grades_reports_a_row_inserted_twice_as_a_batch_conflict(app, client_as, course):
    """An INSERT of the batch refused by the unique keys (here: the same learner twice in one batch, as two
    writers would) raises ``BatchConflict`` and leaves nothing half-written once rolled back."""
    from kampus_lms.grades.persistence import BatchConflict, sync_grades
    from kampus_lms.grades.service import compute

    learner = client_as("learner")
    answer(learner, course["p5"], 10)
    with app.app_context(), current_kampus().db.session_scope() as db_session:
        db_session.execute(sa.delete(PersistentSubsectionGrade))
        db_session.execute(sa.delete(PersistentCourseGrade))
    with app.app_context():
        computation = compute(learner.user, COURSE)
        with pytest.raises(BatchConflict), current_kampus().db.session_scope() as db_session:
            sync_grades(db_session, [(computation.grade, computation.inputs)] * 2)
    assert rows(app, PersistentCourseGrade) == [] and rows(app, PersistentSubsectionGrade) == []


def test_a_regrade_batch_leaves_a_row_computed_from_newer_scores(app, client_as, course):
    """A stored grade whose scores are newer than the batch's (``scores_modified`` later) is not overwritten."""
    learner = client_as("learner")
    answer(learner, course["p5"], 10)
    later = datetime(2099, 1, 1, tzinfo=UTC)
    with app.app_context(), current_kampus().db.session_scope() as db_session:
        db_session.execute(sa.update(PersistentCourseGrade).values(percent_grade=0.01, scores_modified=later))
    with recording_statements(app) as recorder, app.app_context():
        regrade_learners(COURSE, [learner.user.id])
    assert recorder.writes() == []
    [row] = rows(app, PersistentCourseGrade)
    assert row.percent_grade == 0.01


def test_a_grade_written_while_a_regrade_batch_computed_is_not_overwritten(app, client_as, course, monkeypatch):
    """A grade override applied (and its learner regraded) after the batch read the overrides, before it
    locked the rows: the batch leaves that learner's row and grades them again alone, with the override."""
    from kampus_lms.api import apply_overrides, clean_request, enroll
    from kampus_lms.grades import service

    learner, other = client_as("learner"), client_as("learner")
    with app.app_context():
        enroll(learner.user, COURSE, check_access=False)
    answer(learner, course["p1"], 1)  # hw1 1/4
    answer(other, course["p1"], 1)
    staff = make_user(app, "staff")
    with app.app_context(), current_kampus().db.session_scope() as db_session:
        db_session.execute(sa.delete(PersistentSubsectionGrade))
        db_session.execute(sa.delete(PersistentCourseGrade).where(PersistentCourseGrade.user_id == other.user.id))
    real_roles_of = service.course_roles_of
    applied = []

    def roles_after_an_override(users, course_id):
        if not applied:  # the batch has read scores and overrides: staff override hw1 now, in their own request
            with app.test_request_context():
                request = clean_request(learner.user.id, course["hw1"], {"earned_graded_override": 4,
                                                                         "possible_graded_override": 4}, "by hand")
                applied.extend(apply_overrides(COURSE, [request], by_user_id=staff.id))
        return real_roles_of(users, course_id)

    monkeypatch.setattr(service, "course_roles_of", roles_after_an_override)
    with app.app_context():
        assert regrade_learners(COURSE, [learner.user.id, other.user.id]) == 2
    assert applied
    stored = {row.user_id: row for row in rows(app, PersistentCourseGrade)}
    with app.app_context():
        expected = course_grade(learner.user.id, COURSE).percent
    assert stored[learner.user.id].percent_grade == expected == 0.25  # hw1 4/4 counts: the override kept
    assert other.user.id in stored  # the rest of the batch was stored by the batch


def test_a_grade_write_ended_by_a_deadlock_is_run_again(app, client_as, course, monkeypatch):
    """A learner's grade transaction that the database ends to break a deadlock (InnoDB's gap locks, two
    writers inserting a learner's first rows at once) is run again; other operational errors are raised."""
    from kampus_lms.grades import service

    learner = client_as("learner")
    answer(learner, course["p5"], 10)
    with app.app_context(), current_kampus().db.session_scope() as db_session:
        db_session.execute(sa.delete(PersistentSubsectionGrade))
        db_session.execute(sa.delete(PersistentCourseGrade))
    real_sync, calls = service.sync_grade, []

    def deadlocked_once(db_session, grade, inputs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("INSERT ...", {}, Exception(1213, "Deadlock found when trying to get lock"))
        return real_sync(db_session, grade, inputs)

    monkeypatch.setattr(service, "sync_grade", deadlocked_once)
    with app.app_context():
        assert recompute_course_grade(learner.user.id, COURSE).percent == 0.5
    assert len(calls) == 2 and [row.percent_grade for row in rows(app, PersistentCourseGrade)] == [0.5]

    def locked(db_session, grade, inputs):
        raise OperationalError("INSERT ...", {}, Exception("database is locked"))

    monkeypatch.setattr(service, "sync_grade", locked)
    with app.app_context(), pytest.raises(OperationalError):
        recompute_course_grade(learner.user.id, COURSE)
