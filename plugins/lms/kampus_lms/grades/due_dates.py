"""A learner's extended due dates, read once per request (Open edX's individual due date overrides).

The unit page, the outline and the Dates page, the progress page and the content runtime (through
``kampus_field_overrides``) all ask for the same learner's extensions while serving one request: the
first asks the database, the others get its answer. Setting or resetting an extension drops it.
A module of its own (models only) so that the courseware area can read extensions without importing
the grading service.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import g, has_request_context

from kampus import db
from kampus_lms.grades.models import DueDateExtension

_CACHE = "_lms_extended_dues"

#: The statement, built once (its parameters bound per call).
_STATEMENT = sa.select(DueDateExtension.usage_key, DueDateExtension.extended_due).where(
    DueDateExtension.course_id == sa.bindparam("course_id"), DueDateExtension.user_id == sa.bindparam("user_id"))


def aware(value: datetime) -> datetime:
    """``value`` with UTC as its zone when it has none (some databases return naive datetimes)."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _request_cache() -> dict[Any, dict[str, datetime]] | None:
    if not has_request_context():
        return None
    cache = getattr(g, _CACHE, None)
    if cache is None:
        cache = {}
        setattr(g, _CACHE, cache)
    return cache


def extended_due_dates(course_id: str, user_id: int | None) -> dict[str, datetime]:
    """The learner's extended due dates in the course, ``{subsection usage_id: due}`` (one query per
    request; none for anonymous users). Callers must not change the answer (it is shared)."""
    if user_id is None:
        return {}
    cache = _request_cache()
    if cache is not None and (course_id, user_id) in cache:
        return cache[(course_id, user_id)]
    rows = db.session().execute(_STATEMENT, {"course_id": course_id, "user_id": user_id}).all()
    found = {usage: aware(due) for usage, due in rows}
    if cache is not None:
        cache[(course_id, user_id)] = found
    return found


def forget_extended_due_dates(course_id: str, user_id: int) -> None:
    """Drop the learner's extensions read in this request (after setting or resetting one)."""
    cache = _request_cache()
    if cache is not None:
        cache.pop((course_id, user_id), None)
