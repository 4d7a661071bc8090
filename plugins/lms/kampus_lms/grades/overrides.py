"""Subsection grade overrides with their audit trail (Open edX's ``PersistentSubsectionGradeOverride`` and its
history): the values and how they are read.

* :func:`overrides_of`: the overrides of several learners in a course, **one query** (the grade computation
  applies them: :func:`kampus_lms.grades.compute.apply_override`); :func:`override_of`;
* :func:`clean_request`: an :class:`OverrideRequest` from untrusted input, or what is wrong with it;
* :func:`override_history`: the audit trail (who, when, the grade before, the override, the reason).

Writing them (all or none, with their history) is :mod:`kampus_lms.grades.override_admin`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from kampus import current_kampus
from kampus.identity.models import User
from kampus.identity.roles import INSTRUCTOR, STAFF
from kampus_lms.grades.models import SubsectionGradeOverride, SubsectionGradeOverrideHistory

#: Open edX's ``GradeOverrideFeatureEnum``.
GRADEBOOK = "GRADEBOOK"
CREATE_OR_UPDATE = "CREATEORUPDATE"
DELETE = "DELETE"
#: The event type the recomputed grades are announced with.
GRADE_OVERRIDDEN = "edx.grades.subsection.grade_overridden"
REASON_MAX = 300
#: Override subsection grades (Open edX's ``instructor.override_grades``: course staff and instructors).
OVERRIDE_GRADES = "grades.override"
PERMISSIONS: dict[str, list[str]] = {OVERRIDE_GRADES: [STAFF, INSTRUCTOR]}
#: The largest override value accepted (points of one subsection).
MAX_POINTS = 1_000_000.0
#: The largest user id a request may name (the databases' BIGINT).
MAX_USER_ID = 2**63 - 1
VALUE_FIELDS = ("earned_all_override", "possible_all_override", "earned_graded_override", "possible_graded_override")


@dataclass(frozen=True)
class SubsectionOverride:
    """A learner's override of one subsection grade (``None`` keeps the computed value)."""

    user_id: int
    usage_id: str
    earned_all_override: float | None
    possible_all_override: float | None
    earned_graded_override: float | None
    possible_graded_override: float | None
    reason: str
    modified: datetime


@dataclass(frozen=True)
class OverrideRequest:
    """One row of a bulk update: whose grade in which subsection, the new values, why."""

    user_id: int
    usage_id: str
    earned_all_override: float | None = None
    possible_all_override: float | None = None
    earned_graded_override: float | None = None
    possible_graded_override: float | None = None
    comment: str = ""


class OverrideError(ValueError):
    """A batch of overrides with invalid rows: ``errors`` holds one message (or ``None``) per row."""

    def __init__(self, errors: list[str | None]):
        super().__init__("; ".join(f"row {i + 1}: {e}" for i, e in enumerate(errors) if e))
        self.errors = errors


#: The statement of :func:`overrides_of`, built once (the progress page reads it on every view).
_OVERRIDES = (
    sa.select(SubsectionGradeOverride.user_id, SubsectionGradeOverride.usage_key,
              SubsectionGradeOverride.earned_all_override, SubsectionGradeOverride.possible_all_override,
              SubsectionGradeOverride.earned_graded_override, SubsectionGradeOverride.possible_graded_override,
              SubsectionGradeOverride.reason, SubsectionGradeOverride.modified)
    .where(SubsectionGradeOverride.course_id == sa.bindparam("course_id"),
           SubsectionGradeOverride.user_id.in_(sa.bindparam("user_ids", expanding=True))))


def overrides_of(course_id: str, user_ids: Iterable[int], *,
                 db_session: Session | None = None) -> dict[int, dict[str, SubsectionOverride]]:
    """The overrides of ``user_ids`` in the course, one query: ``{user_id: {subsection usage_id: override}}``
    (every asked user is a key)."""
    wanted = sorted(set(user_ids))
    result: dict[int, dict[str, SubsectionOverride]] = {user_id: {} for user_id in wanted}
    if not wanted:
        return result
    params = {"course_id": course_id, "user_ids": wanted}
    if db_session is None:  # a session of its own: what was committed since the request began is seen
        with current_kampus().db.session_scope() as own_session:
            rows = own_session.execute(_OVERRIDES, params).all()
    else:
        rows = db_session.execute(_OVERRIDES, params).all()
    for row in rows:
        result[row.user_id][row.usage_key] = SubsectionOverride(*row)
    return result


def _number(value: Any) -> float | None | str:
    """A valid override value (``None`` for none), or an error message."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "must be a number"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "must be a number"
    if not math.isfinite(number) or number < 0:
        return "must be a finite number, not negative"
    if number > MAX_POINTS:
        return f"must be at most {MAX_POINTS:g}"
    return number


def clean_request(user_id: Any, usage_id: Any, values: dict[str, Any], comment: Any) -> OverrideRequest | str:
    """An :class:`OverrideRequest` from untrusted input, or the message saying what is wrong."""
    if isinstance(user_id, bool) or isinstance(user_id, float) and not user_id.is_integer():
        return "user_id must be an integer"
    try:
        uid = int(user_id)
    except (TypeError, ValueError, OverflowError):
        return "user_id must be an integer"
    if not 0 < uid <= MAX_USER_ID:
        return "user_id must be an integer"
    if not isinstance(usage_id, str) or not usage_id:
        return "usage_id is required"
    cleaned: dict[str, float | None] = {}
    for name in VALUE_FIELDS:
        number = _number(values.get(name))
        if isinstance(number, str):
            return f"{name} {number}"
        cleaned[name] = number
    if all(value is None for value in cleaned.values()):
        return "no override value given"
    for earned, possible in (("earned_all_override", "possible_all_override"),
                             ("earned_graded_override", "possible_graded_override")):
        if cleaned[earned] is not None and cleaned[possible] is not None and cleaned[earned] > cleaned[possible]:
            return f"{earned} is more than {possible}"
    if comment is not None and not isinstance(comment, str):
        return "comment must be text"
    text = (comment or "").strip()
    if len(text) > REASON_MAX:
        return f"comment is longer than {REASON_MAX} characters"
    return OverrideRequest(uid, usage_id, comment=text, **cleaned)


def override_of(course_id: str, user_id: int, usage_id: str) -> SubsectionOverride | None:
    """The learner's current override of the subsection, or ``None``."""
    return overrides_of(course_id, [user_id])[user_id].get(usage_id)


def override_history(course_id: str, usage_id: str | None = None,
                     user_id: int | None = None, limit: int = 500) -> list[dict[str, Any]]:
    """The history of overrides in the course (of one subsection and/or learner), newest first: dicts with
    ``id``, ``override_id``, ``user_id``, ``username``, ``usage_id``, ``action``, ``feature``, ``comments``,
    the four override values, ``previous_earned_graded``, ``previous_possible_graded``, ``history_user_id``,
    ``history_username`` and ``created``."""
    history = SubsectionGradeOverrideHistory
    learner = aliased(User)
    author = aliased(User)
    query = (sa.select(history, learner.username, author.username)
             .join(learner, learner.id == history.user_id)
             .outerjoin(author, author.id == history.history_user_id)
             .where(history.course_id == course_id)
             .order_by(history.created.desc(), history.id.desc()).limit(limit))
    if usage_id is not None:
        query = query.where(history.usage_key == usage_id)
    if user_id is not None:
        query = query.where(history.user_id == user_id)
    result = []
    with current_kampus().db.session_scope() as db_session:
        found = db_session.execute(query).all()
    for row, username, author_name in found:
        result.append({
            "id": row.id, "override_id": row.override_id, "user_id": row.user_id, "username": username,
            "usage_id": row.usage_key, "action": row.action, "feature": row.feature, "comments": row.comments,
            **{name: getattr(row, name) for name in VALUE_FIELDS},
            "previous_earned_graded": row.previous_earned_graded,
            "previous_possible_graded": row.previous_possible_graded,
            "history_user_id": row.history_user_id, "history_username": author_name or "", "created": row.created,
        })
    return result
