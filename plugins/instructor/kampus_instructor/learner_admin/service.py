"""What the learner admin area does, for its REST endpoints and its page alike (one code path).

A learner is named by user name or e-mail address (Open edX's ``unique_student_identifier``); a problem by
its usage id, which must be a scorable block of the published course. Every action raises
:class:`ActionError` with a message for the course team when it cannot be done.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from kampus_content.api import (
    NoLearnerState,
    delete_learner_state,
    learner_state,
    learners_with_state,
    reset_attempts,
)
from kampus_lms.api import (
    ExtensionError,
    NoGrades,
    course_grade,
    course_problems,
    extensions_of,
    graded_subsections,
    reset_due_date_extension,
    set_due_date_extension,
)
from kampus_problems.api import RescoreError, override_problem_score, rescore_problem

from kampus import db
from kampus.identity.models import User
from kampus.tasks.api import AlreadyRunningError, TaskContext, TaskRecord, submit, task_name

#: Open edX's ``change_due_date`` takes ``MM/DD/YYYY HH:MM`` (UTC); ISO 8601 is accepted too.
DUE_FORMAT = "%m/%d/%Y %H:%M"
RESCORE_ALL_TASK = "instructor.rescore_problem_for_all"
RESET_ALL_TASK = "instructor.reset_problem_attempts_for_all"


class ActionError(ValueError):
    """An action on a learner that cannot be done; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field


def find_learner(identifier: str | None) -> User:
    """The account named by user name or e-mail address (Open edX's ``get_student_from_identifier``)."""
    text = str(identifier if identifier is not None else "").strip().replace("\x00", "")
    if not text or len(text) > 254:
        raise ActionError("Give a learner's user name or e-mail address.", field="unique_student_identifier")
    column = User.email if "@" in text else User.username
    user = db.session().scalar(sa.select(User).where(sa.func.lower(column) == text.lower()))
    if user is None:
        raise ActionError(f"Could not find student matching identifier: {text}", status=400,
                          field="unique_student_identifier")
    return user


def problems(course_id: str) -> list[dict[str, Any]]:
    """The course's problems, for the picker (usage id, name, subsection)."""
    try:
        return course_problems(course_id)
    except NoGrades:
        return []


def subsections_with_due(course_id: str) -> list[dict[str, Any]]:
    """The course's subsections that have a due date (those an extension applies to)."""
    try:
        return [sub for sub in graded_subsections(course_id) if sub["due"] is not None]
    except NoGrades:
        return []


def check_problem(course_id: str, usage_id: str | None) -> dict[str, Any]:
    """The problem ``usage_id`` of the course, or :class:`ActionError`."""
    for problem in problems(course_id):
        if problem["usage_id"] == usage_id:
            return problem
    raise ActionError(f"{usage_id or 'No problem'} is not a problem of this course.", field="problem_to_reset")


def _check_subsection(course_id: str, usage_id: str | None) -> dict[str, Any]:
    try:
        for sub in graded_subsections(course_id):
            if sub["usage_id"] == usage_id:
                return sub
    except NoGrades:
        pass
    raise ActionError(f"Couldn't find subsection with location {usage_id}", field="url")


def progress_summary(course_id: str, user: User) -> dict[str, Any]:
    """The learner's grade: percent, letter grade, passed, and each subsection's graded points."""
    try:
        grade = course_grade(int(user.id), course_id)
    except NoGrades:
        raise ActionError("The course is not published.", status=404) from None
    return {
        "user_id": int(user.id), "username": user.username, "email": user.email,
        "progress_url": f"/courses/{course_id}/progress/{int(user.id)}/",
        "percent": grade.percent, "letter_grade": grade.letter_grade, "passed": grade.passed,
        "subsections": [{"usage_id": s.usage_id, "display_name": s.display_name, "graded": s.graded,
                         "earned": s.graded_total.earned if s.graded else s.all_total.earned,
                         "possible": s.graded_total.possible if s.graded else s.all_total.possible,
                         "attempted": s.attempted, "label": s.label} for s in grade.subsections],
    }


def reset_student_attempts(course_id: str, user: User, usage_id: str, *, delete_module: bool) -> dict[str, Any]:
    """Reset the learner's attempts of the problem, or (``delete_module``) delete their state and score."""
    check_problem(course_id, usage_id)
    try:
        if delete_module:
            change = delete_learner_state(course_id, int(user.id), usage_id)
        else:
            change = reset_attempts(course_id, int(user.id), usage_id)
    except NoLearnerState:
        raise ActionError("The learner has no state of this problem.", status=400) from None
    return {"problem_to_reset": usage_id, "student": user.username, "attempts_before": change.attempts_before,
            "score_deleted": change.score_deleted}


def rescore_one(course_id: str, user: User, usage_id: str, *, only_if_higher: bool) -> dict[str, Any]:
    """Rescore the learner's stored answers of the problem now."""
    check_problem(course_id, usage_id)
    try:
        result = rescore_problem(int(user.id), usage_id, only_if_higher=only_if_higher)
    except RescoreError as err:
        raise ActionError(str(err)) from None
    if result.skipped:
        raise ActionError("The learner has not answered this problem: there is nothing to rescore.")
    return {"problem_to_reset": usage_id, "student": user.username, "task": "completed",
            "earned_before": result.earned_before, "earned": result.earned, "possible": result.possible}


def rescore_all(course_id: str, usage_id: str, *, only_if_higher: bool, requester_id: int | None) -> TaskRecord:
    """Start rescoring the problem for every learner who answered it (a background task with progress)."""
    check_problem(course_id, usage_id)
    try:
        return submit(RESCORE_ALL_TASK, usage_id=usage_id, only_if_higher=only_if_higher, user_id=requester_id,
                      key=f"rescore:{usage_id}", course_id=course_id)
    except AlreadyRunningError:
        raise ActionError("A rescore of this problem is already running.", status=409) from None


@task_name(RESCORE_ALL_TASK)
def rescore_problem_for_all(task: TaskContext, usage_id: str, only_if_higher: bool = False) -> dict[str, Any]:
    """Rescore ``usage_id`` for every learner with state of it (idempotent: a rerun gives the same scores)."""
    user_ids = learners_with_state(task.course_id, usage_id)
    counts = {"attempted": 0, "succeeded": 0, "skipped": 0, "failed": 0}
    task.progress(0, len(user_ids), "Rescoring")
    for done, user_id in enumerate(user_ids, start=1):
        counts["attempted"] += 1
        try:
            result = rescore_problem(user_id, usage_id, only_if_higher=only_if_higher)
        except RescoreError:
            counts["failed"] += 1
        else:
            counts["skipped" if result.skipped else "succeeded"] += 1
        task.progress(done, len(user_ids), "Rescoring")
    return {"action_name": "rescored", "total": len(user_ids), **counts}


def reset_all(course_id: str, usage_id: str, *, requester_id: int | None) -> TaskRecord:
    """Start resetting every learner's attempts of the problem (a background task with progress)."""
    check_problem(course_id, usage_id)
    try:
        return submit(RESET_ALL_TASK, usage_id=usage_id, user_id=requester_id, key=f"reset:{usage_id}",
                      course_id=course_id)
    except AlreadyRunningError:
        raise ActionError("A reset of this problem is already running.", status=409) from None


@task_name(RESET_ALL_TASK)
def reset_attempts_for_all(task: TaskContext, usage_id: str) -> dict[str, Any]:
    """Set every learner's attempts of ``usage_id`` to 0 (idempotent)."""
    user_ids = learners_with_state(task.course_id, usage_id)
    succeeded = 0
    task.progress(0, len(user_ids), "Resetting attempts")
    for done, user_id in enumerate(user_ids, start=1):
        try:
            reset_attempts(task.course_id, user_id, usage_id)
            succeeded += 1
        except NoLearnerState:
            pass
        task.progress(done, len(user_ids), "Resetting attempts")
    return {"action_name": "reset", "total": len(user_ids), "attempted": len(user_ids), "succeeded": succeeded}


def override_score(course_id: str, user: User, usage_id: str, score: Any) -> dict[str, Any]:
    """Set the learner's weighted score of the problem (Open edX's ``override_problem_score``)."""
    check_problem(course_id, usage_id)
    if isinstance(score, bool):
        raise ActionError("score must be a number.", field="score")
    try:
        value = float(score)
    except (TypeError, ValueError, OverflowError):
        raise ActionError("score must be a number.", field="score") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ActionError("score must be a number.", field="score")
    try:
        result = override_problem_score(int(user.id), usage_id, value)
    except RescoreError as err:
        raise ActionError(str(err), field="score") from None
    return {"problem_to_reset": usage_id, "student": user.username, "task": "completed",
            "earned_before": result.earned_before, "earned": result.earned, "possible": result.possible}


def attempts_of(course_id: str, user: User, usage_id: str) -> int | None:
    """The learner's attempts of the problem (``None`` when they have no state)."""
    state = learner_state(course_id, int(user.id), usage_id)
    return None if state is None else int(state.get("attempts") or 0)  # type: ignore[call-overload]


#: Due dates outside these years are refused (a date near ``datetime.max`` overflows in time zone arithmetic).
MIN_DUE_YEAR, MAX_DUE_YEAR = 1900, 9000


def parse_due(text: str | None) -> datetime:
    """A due date given as ``MM/DD/YYYY HH:MM`` (Open edX) or ISO 8601, in UTC."""
    value = str(text if text is not None else "").strip()
    for parse in (lambda v: datetime.strptime(v, DUE_FORMAT), datetime.fromisoformat):
        try:
            parsed = parse(value)
        except ValueError:
            continue
        parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        if not MIN_DUE_YEAR <= parsed.year <= MAX_DUE_YEAR:
            break
        try:
            return parsed.astimezone(UTC)
        except (OverflowError, ValueError):
            break
    else:
        raise ActionError("Date must be in MM/DD/YYYY HH:MM format (or ISO 8601).", field="due_datetime")
    raise ActionError(f"The date must be between the years {MIN_DUE_YEAR} and {MAX_DUE_YEAR}.",
                      field="due_datetime")


def change_due_date(course_id: str, user: User, usage_id: str, due_text: str | None, reason: str,
                    requester_id: int | None) -> dict[str, Any]:
    """Give the learner their own due date of the subsection (Open edX's ``change_due_date``)."""
    sub = _check_subsection(course_id, usage_id)
    due = parse_due(due_text)
    try:
        set_due_date_extension(course_id, int(user.id), usage_id, due, reason=(reason or "")[:255],
                               by_user_id=requester_id)
    except ExtensionError as err:
        raise ActionError(str(err)) from None
    return {"message": f"Successfully changed due date for student {user.username} for {sub['display_name']} "
                       f"to {due.strftime('%Y-%m-%d %H:%M')}"}


def reset_due_date(course_id: str, user: User, usage_id: str) -> dict[str, Any]:
    """Give the learner the subsection's own due date again (Open edX's ``reset_due_date``)."""
    sub = _check_subsection(course_id, usage_id)
    try:
        reset_due_date_extension(course_id, int(user.id), usage_id)
    except ExtensionError as err:
        raise ActionError(str(err)) from None
    original = sub["due"].strftime("%Y-%m-%d %H:%M") if sub["due"] else ""
    return {"message": f"Successfully reset due date for student {user.username} for {sub['display_name']} "
                       f"to {original}"}


def _when(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M")


def unit_extensions(course_id: str, usage_id: str) -> dict[str, Any]:
    """Open edX's ``show_unit_extensions``: who has an extension of the subsection."""
    sub = _check_subsection(course_id, usage_id)
    rows = extensions_of(course_id, usage_id=usage_id)
    return {"header": ["Username", "Full Name", "Extended Due Date"],
            "title": f"Users with due date extensions for {sub['display_name']}",
            "data": [{"Username": e.username, "Full Name": e.full_name, "Extended Due Date": _when(e.extended_due)}
                     for e in rows]}


def student_extensions(course_id: str, user: User) -> dict[str, Any]:
    """Open edX's ``show_student_extensions``: the learner's extensions in the course."""
    rows = extensions_of(course_id, user_id=int(user.id))
    return {"header": ["Unit", "Extended Due Date"],
            "title": f"Due date extensions for {user.name or user.username} ({user.username})",
            "data": [{"Unit": e.subsection_name, "Extended Due Date": _when(e.extended_due)} for e in rows]}
