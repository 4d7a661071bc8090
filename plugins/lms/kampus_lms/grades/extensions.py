"""Due-date extensions: a learner's own due date for a subsection (Open edX's ``change_due_date``,
``reset_due_date``, ``show_unit_extensions``, ``show_student_extensions`` of ``instructor/views/tools.py``).

An extension is applied where the due date is read: the content runtime asks ``kampus_field_overrides``
(:func:`field_overrides`), so the learner's problems under the subsection close at the extended date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from kampus import current_kampus
from kampus.db import utcnow
from kampus.identity.models import User
from kampus_lms.grades.due_dates import aware as _aware
from kampus_lms.grades.due_dates import extended_due_dates, forget_extended_due_dates
from kampus_lms.grades.models import DueDateExtension
from kampus_lms.grades.service import published_grading


class ExtensionError(ValueError):
    """An extension that cannot be set or reset (Open edX's ``DashboardError`` messages)."""


@dataclass(frozen=True)
class Extension:
    """A learner's extended due date of one subsection."""

    user_id: int
    username: str
    full_name: str
    usage_id: str
    subsection_name: str
    original_due: datetime | None
    extended_due: datetime
    reason: str


def _subsection(course_id: str, usage_id: str) -> Any:
    for sub in published_grading(course_id).subsections:
        if sub.usage_id == usage_id:
            return sub
    raise ExtensionError(f"Couldn't find subsection {usage_id} in the course.")


def set_due_date_extension(course_id: str, user_id: int, usage_id: str, due: datetime, *, reason: str = "",
                           by_user_id: int | None = None) -> Extension:
    """Give the learner ``due`` as the due date of the subsection ``usage_id`` (replacing an earlier extension).

    Raises :class:`ExtensionError` when the subsection has no due date or ``due`` is before it."""
    sub = _subsection(course_id, usage_id)
    if sub.due is None:
        raise ExtensionError(f"Unit {usage_id} has no due date to extend.")
    due = _aware(due)
    if due < _aware(sub.due):
        raise ExtensionError("An extended due date must be later than the original due date.")
    now = utcnow()
    with current_kampus().db.session_scope() as db_session:
        row = db_session.scalar(sa.select(DueDateExtension).where(
            DueDateExtension.user_id == user_id, DueDateExtension.course_id == course_id,
            DueDateExtension.usage_key == usage_id).with_for_update())
        if row is None:
            row = DueDateExtension(user_id=user_id, course_id=course_id, usage_key=usage_id, created=now)
            db_session.add(row)
        row.extended_due, row.reason, row.created_by, row.modified = due, reason[:255], by_user_id, now
    forget_extended_due_dates(course_id, user_id)
    found = extensions_of(course_id, user_id=user_id, usage_id=usage_id)
    return found[0]


def reset_due_date_extension(course_id: str, user_id: int, usage_id: str) -> None:
    """Give the learner the subsection's own due date again; :class:`ExtensionError` when none was set."""
    _subsection(course_id, usage_id)
    with current_kampus().db.session_scope() as db_session:
        deleted = db_session.execute(sa.delete(DueDateExtension).where(
            DueDateExtension.user_id == user_id, DueDateExtension.course_id == course_id,
            DueDateExtension.usage_key == usage_id)).rowcount
    forget_extended_due_dates(course_id, user_id)
    if not deleted:
        raise ExtensionError("No due date extension is set for that student and unit.")


def extensions_of(course_id: str, *, user_id: int | None = None, usage_id: str | None = None) -> list[Extension]:
    """The extensions of the course (of one learner and/or subsection), by subsection then user name."""
    query = (sa.select(DueDateExtension, User.username, User.name)
             .join(User, User.id == DueDateExtension.user_id)
             .where(DueDateExtension.course_id == course_id))
    if user_id is not None:
        query = query.where(DueDateExtension.user_id == user_id)
    if usage_id is not None:
        query = query.where(DueDateExtension.usage_key == usage_id)
    subs = {sub.usage_id: sub for sub in published_grading(course_id).subsections}
    found = []
    with current_kampus().db.session_scope() as db_session:
        rows = db_session.execute(query).all()
    for row, username, name in rows:
        sub = subs.get(row.usage_key)
        found.append(Extension(row.user_id, username, name or "", row.usage_key,
                               sub.display_name if sub else row.usage_key, sub.due if sub else None,
                               _aware(row.extended_due), row.reason))
    order = {usage: index for index, usage in enumerate(subs)}
    return sorted(found, key=lambda e: (order.get(e.usage_id, len(order)), e.username))


def field_overrides(course_id: str, user_id: int) -> dict[str, dict[str, Any]]:
    """``kampus_field_overrides``: the learner's extended due dates, ``{subsection usage_id: {"due": ISO}}``
    (one query per request: :func:`extended_due_dates`)."""
    return {usage: {"due": due.isoformat()} for usage, due in extended_due_dates(course_id, user_id).items()}

