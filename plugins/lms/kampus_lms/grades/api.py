"""The grades area's API, for the other LMS areas (and, through :mod:`kampus_lms.api`, other plugins).

* :func:`course_grade`: a learner's :class:`CourseGrade` (``percent`` rounded like Open edX's,
  ``letter_grade`` or ``None``, ``passed``, ``grade_breakdown`` per assignment type, ``subsections``);
  :func:`subsection_grades`: their :class:`SubsectionGrade` s by usage id. Both recompute from the
  learner's scores (one query) and repair the stored rows when stale; they raise :class:`NoGrades`
  for a course that is not published.
* :func:`course_grades_of`: several learners' grades computed at once from one score query (nothing
  written; the grades REST API's lists and gradebook); :func:`progress_for`: a learner's
  :class:`ProgressPage` (the progress page and the learning MFE's progress API);
* :func:`assignment_grade_between`, :func:`course_grade_between`: filters of learner lists on their stored
  grades, as SQL conditions of the list's query (the gradebook API's ``assignment_grade_min`` ...);
* :func:`stored_course_grades`: the persistent rows of a course, for reports and lists (one query);
  :func:`stored_learner_grades`: one learner's rows across courses (the dashboard; one query).
* graders: the :class:`CourseGrader` protocol (``grade(CourseGradingInput) -> CourseGradeResult``) that a
  ``kampus_course_grader`` answer implements; :class:`OpenEdxGrader` is the default.
* for benchmarks and scripts (no web layer): :func:`recompute_course_grade` (recompute and store one
  learner's grade), :func:`read_score_rows` (that learner's score rows, the query it starts from) and
  :func:`regrade_learners` (the course regrade task's work for a list of learners).
"""

from __future__ import annotations

from typing import Any

from kampus import current_kampus
from kampus_lms.grades.data import (
    AggregatedScore,
    CourseGrade,
    CourseGrader,
    CourseGradeResult,
    CourseGradingInput,
    ProblemScore,
    SubsectionGrade,
)
from kampus_lms.grades.extensions import (
    Extension,
    ExtensionError,
    extended_due_dates,
    extensions_of,
    reset_due_date_extension,
    set_due_date_extension,
)
from kampus_lms.grades.filters import UserCondition, assignment_grade_between, course_grade_between
from kampus_lms.grades.grader import OpenEdxGrader, final_percent, letter_grade_for, passed_for
from kampus_lms.grades.models import PersistentCourseGrade
from kampus_lms.grades.override_admin import (
    apply_overrides,
    remove_override,
    subsection_grade_detail,
    validate_overrides,
)
from kampus_lms.grades.overrides import (
    OVERRIDE_GRADES,
    OverrideError,
    OverrideRequest,
    SubsectionOverride,
    clean_request,
    override_history,
    override_of,
    overrides_of,
)
from kampus_lms.grades.persistence import learner_course_grades as _learner_course_grades
from kampus_lms.grades.persistence import stored_course_grades as _stored_course_grades
from kampus_lms.grades.progress import ProgressPage, progress_for
from kampus_lms.grades.service import (
    NoGrades,
    course_grade,
    course_grades_of,
    course_problems,
    graded_subsections,
    published_grading,
    read_score_rows,
    subsection_grades,
    update_course_grade,
)
from kampus_lms.grades.tasks import regrade

__all__ = [
    "OVERRIDE_GRADES",
    "AggregatedScore",
    "Extension",
    "ExtensionError",
    "extended_due_dates",
    "OverrideError",
    "OverrideRequest",
    "UserCondition",
    "assignment_grade_between",
    "course_grade_between",
    "SubsectionOverride",
    "apply_overrides",
    "clean_request",
    "course_problems",
    "extensions_of",
    "graded_subsections",
    "override_history",
    "override_of",
    "overrides_of",
    "remove_override",
    "reset_due_date_extension",
    "set_due_date_extension",
    "CourseGrade",
    "CourseGradeResult",
    "CourseGrader",
    "CourseGradingInput",
    "NoGrades",
    "OpenEdxGrader",
    "PersistentCourseGrade",
    "ProblemScore",
    "ProgressPage",
    "SubsectionGrade",
    "course_grade",
    "course_grades_of",
    "final_percent",
    "letter_grade_for",
    "passed_for",
    "progress_for",
    "read_score_rows",
    "recompute_course_grade",
    "regrade_learners",
    "stored_course_grades",
    "subsection_grade_detail",
    "validate_overrides",
    "stored_learner_grades",
    "subsection_grades",
]


def regrade_learners(course_id: str, user_ids: list[int]) -> int:
    """Recompute and store the course grades of ``user_ids`` against the published course, in the batches and
    with the queries of the background regrade (``grades.regrade_course``, the work a worker process does);
    returns how many were graded. Raises :class:`NoGrades` for a course that is not published. Needs an app
    context only; ``bench/instructor.py`` runs it in two processes."""
    return regrade(published_grading(course_id), user_ids)


def recompute_course_grade(user_id: int, course_id: str) -> CourseGrade:
    """Recompute one learner's course grade from their scores and store it (what a score change does).

    Needs an app context only (``with app.app_context():``); ``bench/lms.py`` times it against
    :func:`read_score_rows`."""
    return update_course_grade(user_id, course_id)


def _stored_grade(row: PersistentCourseGrade) -> dict[str, Any]:
    return {"user_id": row.user_id, "percent": row.percent_grade, "letter_grade": row.letter_grade or None,
            "passed": row.passed, "passed_timestamp": row.passed_timestamp, "course_version": row.course_version,
            "modified": row.modified}


def stored_course_grades(course_id: str, user_ids: list[int] | None = None) -> list[dict[str, Any]]:
    """The stored course grades of a course (of ``user_ids`` when given), one query: dicts with
    ``user_id``, ``percent``, ``letter_grade``, ``passed``, ``passed_timestamp``, ``course_version``,
    ``modified``. Rows are as last computed; :func:`course_grade` refreshes one learner's."""
    with current_kampus().db.session_scope() as db_session:
        return [_stored_grade(row) for row in _stored_course_grades(db_session, course_id, user_ids)]


def stored_learner_grades(user_id: int, course_ids: list[str]) -> dict[str, dict[str, Any]]:
    """One learner's stored course grades in the courses ``course_ids``, by course id (courses without a
    stored grade left out), one query; the dicts are those of :func:`stored_course_grades`."""
    with current_kampus().db.session_scope() as db_session:
        return {row.course_id: _stored_grade(row) for row in _learner_course_grades(db_session, user_id, course_ids)}
