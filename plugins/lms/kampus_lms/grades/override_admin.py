"""Writing subsection grade overrides (the gradebook's bulk update, its CSV import): checked row by row,
written all or none in one transaction with their history, then the learners' grades recomputed and stored
(events, certificates) as a score change does. Reading them is :mod:`kampus_lms.grades.overrides`."""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from kampus import current_kampus
from kampus.db import utcnow
from kampus.identity.models import User
from kampus.tasks.api import TaskContext, submit, task_name
from kampus_lms.enrollment.api import enrolled_user_ids
from kampus_lms.grades.models import SubsectionGradeOverride, SubsectionGradeOverrideHistory
from kampus_lms.grades.overrides import (
    CREATE_OR_UPDATE,
    DELETE,
    GRADE_OVERRIDDEN,
    GRADEBOOK,
    REASON_MAX,
    VALUE_FIELDS,
    OverrideError,
    OverrideRequest,
    override_history,
    override_of,
)
from kampus_lms.grades.service import NoGrades, compute, course_grades_of, published_grading, update_course_grade
from kampus_lms.grades.structure import max_scores

log = logging.getLogger(__name__)


def validate_overrides(course_id: str, requests: list[OverrideRequest | str]) -> list[str | None]:
    """One error message (or ``None``) per row: the learner must be enrolled, the block a subsection of the
    published course; a row given as a string is already an error."""
    grading = published_grading(course_id)
    possible = _possible_points(grading)
    enrolled = set(enrolled_user_ids(course_id))
    errors: list[str | None] = []
    for request in requests:
        if isinstance(request, str):
            errors.append(request)
        elif request.user_id not in enrolled:
            errors.append(f"user {request.user_id} is not enrolled in the course")
        elif request.usage_id not in possible:
            errors.append(f"{request.usage_id} is not a subsection of the course")
        else:
            errors.append(_over_possible(request, *possible[request.usage_id]))
    return errors


def _possible_points(grading: Any) -> dict[str, tuple[float, float]]:
    """``{subsection usage_id: (possible points of all its problems, of its graded problems)}``."""
    points = max_scores(grading)
    result = {}
    for sub in grading.subsections:
        every = sum(float(points.get(s.usage_id, 0.0)) for s in sub.scorables)
        graded = sum(float(points.get(s.usage_id, 0.0)) for s in sub.scorables if s.graded)
        result[sub.usage_id] = (every, graded)
    return result


def _over_possible(request: OverrideRequest, possible_all: float, possible_graded: float) -> str | None:
    """What is wrong with an override earning more than the subsection's possible points (the overridden
    possible points when the request sets them), or ``None``."""
    for earned_name, possible_name, computed in (
            ("earned_all_override", "possible_all_override", possible_all),
            ("earned_graded_override", "possible_graded_override", possible_graded)):
        earned = getattr(request, earned_name)
        overridden = getattr(request, possible_name)
        limit = computed if overridden is None else overridden
        if earned is not None and earned > limit:
            return f"{earned_name} ({earned:g}) is more than the possible points ({limit:g})"
    return None


def apply_overrides(course_id: str, requests: list[OverrideRequest | str], *, by_user_id: int | None,
                    feature: str = GRADEBOOK) -> list[OverrideRequest]:
    """Write every override of the batch, or none: raises :class:`OverrideError` when a row is invalid.

    One transaction writes the override rows and their history (with each learner's subsection grade
    before); the learners' course grades are then recomputed and stored. Returns the applied requests."""
    errors = validate_overrides(course_id, requests)
    if any(errors):
        raise OverrideError(errors)
    valid = [r for r in requests if isinstance(r, OverrideRequest)]
    with current_kampus().db.session_scope() as db_session:
        users = list(db_session.scalars(sa.select(User).where(User.id.in_({r.user_id for r in valid}))))
        db_session.expunge_all()
    before = course_grades_of(course_id, users)
    now = utcnow()
    with current_kampus().db.session_scope() as db_session:
        for request in valid:
            previous = next((s for s in before[request.user_id].subsections if s.usage_id == request.usage_id), None)
            values = {name: getattr(request, name) for name in VALUE_FIELDS}
            row = _locked_row(db_session, course_id, request.user_id, request.usage_id, feature, now)
            for name, value in values.items():
                setattr(row, name, value)
            row.reason, row.modified, row.system = request.comment, now, feature
            db_session.flush()
            db_session.add(SubsectionGradeOverrideHistory(
                override_id=row.id, user_id=request.user_id, course_id=course_id, usage_key=request.usage_id,
                action=CREATE_OR_UPDATE, feature=feature, comments=request.comment, history_user_id=by_user_id,
                previous_earned_graded=previous.graded_total.earned if previous else None,
                previous_possible_graded=previous.graded_total.possible if previous else None,
                created=now, **values))
    _regrade({r.user_id for r in valid}, course_id)
    return valid


def _locked_row(db_session: Any, course_id: str, user_id: int, usage_id: str, feature: str,
                now: Any) -> SubsectionGradeOverride:
    """The learner's override row of the subsection, locked; created (in a savepoint) when missing, or the
    concurrent writer's row when it was first."""
    query = sa.select(SubsectionGradeOverride).where(
        SubsectionGradeOverride.user_id == user_id, SubsectionGradeOverride.course_id == course_id,
        SubsectionGradeOverride.usage_key == usage_id).with_for_update()
    row = db_session.scalar(query)
    if row is not None:
        return row  # type: ignore[no-any-return]
    try:
        with db_session.begin_nested():
            row = SubsectionGradeOverride(user_id=user_id, course_id=course_id, usage_key=usage_id, system=feature,
                                          created=now, modified=now)
            db_session.add(row)
        return row
    except IntegrityError:
        return db_session.scalars(query).one()  # type: ignore[no-any-return]


def remove_override(course_id: str, user_id: int, usage_id: str, *, by_user_id: int | None,
                    comment: str = "") -> bool:
    """Delete a learner's override of a subsection (kept in the history); ``False`` when there was none."""
    with current_kampus().db.session_scope() as db_session:
        row = db_session.scalar(sa.select(SubsectionGradeOverride).where(
            SubsectionGradeOverride.user_id == user_id, SubsectionGradeOverride.course_id == course_id,
            SubsectionGradeOverride.usage_key == usage_id).with_for_update())
        if row is None:
            return False
        db_session.add(SubsectionGradeOverrideHistory(
            override_id=row.id, user_id=user_id, course_id=course_id, usage_key=usage_id, action=DELETE,
            feature=row.system, comments=comment[:REASON_MAX], history_user_id=by_user_id, created=utcnow(),
            **{name: getattr(row, name) for name in VALUE_FIELDS}))
        db_session.delete(row)
    _regrade({user_id}, course_id)
    return True


def _regrade(user_ids: set[int], course_id: str) -> list[int]:
    """Recompute and store the learners' grades now; those that fail are queued as a background task
    (:func:`regrade_after_override`), so a committed override never leaves a stale grade or certificate.
    Returns the learners whose grade was queued rather than stored."""
    failed = []
    for user_id in sorted(user_ids):
        try:
            update_course_grade(user_id, course_id, reason=GRADE_OVERRIDDEN)
        except NoGrades:
            return []
        except Exception:
            log.exception("recomputing the grade of user %s in %s after an override failed", user_id, course_id)
            failed.append(user_id)
    if failed:
        try:
            submit(regrade_after_override, failed, course_id=course_id)
        except Exception:  # the next read of the grade repairs it
            log.exception("queueing the regrade of %s in %s failed", failed, course_id)
    return failed


@task_name("grades.regrade_after_override")
def regrade_after_override(task: TaskContext, user_ids: list[int]) -> dict[str, Any]:
    """Recompute and store the grades of ``user_ids`` in ``task.course_id`` (after an override whose
    recomputation failed); idempotent: storing a grade writes only what differs."""
    done = 0
    for user_id in user_ids:
        try:
            update_course_grade(int(user_id), task.course_id, reason=GRADE_OVERRIDDEN)
        except (NoGrades, LookupError):
            pass
        done += 1
        task.progress(done, len(user_ids), "Regrading learners")
    return {"course_id": task.course_id, "regraded": done}


def subsection_grade_detail(course_id: str, user: Any, usage_id: str) -> dict[str, Any]:
    """Open edX's ``SubsectionGradeView`` answer: the learner's subsection grade as computed from their scores
    (``original_grade``), their ``override`` (or ``None``) and its ``history``, oldest first. Raises
    ``LookupError`` for a block that is not a subsection of the published course."""
    grading = published_grading(course_id)
    if usage_id not in {sub.usage_id for sub in grading.subsections}:
        raise LookupError(usage_id)
    computed = compute(user, course_id, mode="learner", grading=grading, overrides={}).grade
    original = next(sub for sub in computed.subsections if sub.usage_id == usage_id) \
        if any(sub.usage_id == usage_id for sub in computed.subsections) else None
    override = override_of(course_id, int(user.id), usage_id)
    return {
        "original_grade": {
            "earned_all": original.all_total.earned if original else 0.0,
            "possible_all": original.all_total.possible if original else 0.0,
            "earned_graded": original.graded_total.earned if original else 0.0,
            "possible_graded": original.graded_total.possible if original else 0.0,
        },
        "override": None if override is None else {name: getattr(override, name) for name in VALUE_FIELDS},
        "history": list(reversed(override_history(course_id, usage_id, int(user.id)))),
    }
