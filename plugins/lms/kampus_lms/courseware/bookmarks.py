"""Bookmarks on units (Open edX's ``openedx.core.djangoapps.bookmarks``).

A bookmark keeps a snapshot of the unit's display name and path (its section
and subsection) when it was made, as Open edX does, so the list never walks
a course. Adding and removing emit Open edX's ``edx.bookmark.added`` /
``edx.bookmark.removed`` with its payload (``course_id``, ``bookmark_id``,
``component_type``, ``component_usage_id``). :func:`bookmarks_of` answers in
the fields of Open edX's ``/api/bookmarks/v1/bookmarks/`` (``id`` is
``"<username>,<usage_id>"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from kampus import db
from kampus.events.emit import emit
from kampus.identity.models import User
from kampus_lms.courseware.models import Bookmark
from kampus_lms.courseware.navigation import CourseNav, UnitRef


@dataclass(frozen=True)
class PathItem:
    """One ancestor of a bookmarked unit (Open edX's ``PathItem``)."""

    usage_id: str
    display_name: str


@dataclass(frozen=True)
class BookmarkInfo:
    """A bookmark, with the fields of Open edX's bookmarks API."""

    id: str  #: ``"<username>,<usage_id>"``
    course_id: str
    usage_id: str
    block_type: str
    display_name: str
    path: list[PathItem]
    created: datetime

    def to_json(self) -> dict[str, Any]:
        """The bookmark as Open edX's API answers it."""
        return {
            "id": self.id, "course_id": self.course_id, "usage_id": self.usage_id, "block_type": self.block_type,
            "display_name": self.display_name,
            "path": [{"usage_id": item.usage_id, "display_name": item.display_name} for item in self.path],
            "created": self.created.isoformat(),
        }


def _event(name: str, username: str, course_id: str, usage_id: str, block_type: str) -> None:
    emit(name, {"course_id": course_id, "bookmark_id": f"{username},{usage_id}", "component_type": block_type,
                "component_usage_id": usage_id}, course_id=course_id)


#: Built once (the unit page asks on every request); parameters bound per call.
_BOOKMARKED = sa.select(Bookmark.id).where(Bookmark.user_id == sa.bindparam("user_id"),
                                           Bookmark.usage_id == sa.bindparam("usage_id"))


def is_bookmarked(user_id: int, usage_id: str) -> bool:
    """Whether the user bookmarked the unit (one query)."""
    return db.session().scalar(_BOOKMARKED, {"user_id": user_id, "usage_id": usage_id}) is not None


def add_bookmark(user: Any, nav: CourseNav, unit: UnitRef) -> bool:
    """Bookmark ``unit`` for ``user`` (the caller commits); False when it was bookmarked already."""
    session = db.session()
    if is_bookmarked(user.id, unit.usage_id):
        return False
    path = [{"usage_id": nav.usage_ids[key], "display_name": nav.names.get(key, "")}
            for key in (unit.chapter, unit.sequential)]
    try:
        with session.begin_nested():
            session.add(Bookmark(user_id=user.id, course_id=nav.course_id, usage_id=unit.usage_id,
                                 block_type=unit.key[0], display_name=unit.display_name[:255], path=path))
    except IntegrityError:
        return False  # a concurrent request bookmarked it first
    _event("edx.bookmark.added", user.username, nav.course_id, unit.usage_id, unit.key[0])
    return True


def remove_bookmark(user: Any, course_id: str, usage_id: str) -> bool:
    """Remove ``user``'s bookmark on ``usage_id`` (the caller commits); False when there was none."""
    row = db.session().scalar(sa.select(Bookmark).where(Bookmark.user_id == user.id, Bookmark.usage_id == usage_id))
    if row is None:
        return False
    block_type = row.block_type
    db.session().delete(row)
    db.session().flush()
    _event("edx.bookmark.removed", user.username, course_id, usage_id, block_type)
    return True


def bookmarks_of(user_id: int, course_id: str | None = None) -> list[BookmarkInfo]:
    """The user's bookmarks (in one course, or every course), newest first, in one query."""
    query = (sa.select(Bookmark, User.username).join(User, User.id == Bookmark.user_id)
             .where(Bookmark.user_id == user_id).order_by(Bookmark.created.desc(), Bookmark.id.desc()))
    if course_id is not None:
        query = query.where(Bookmark.course_id == course_id)
    result = []
    for row, username in db.session().execute(query):
        path = [PathItem(str(item.get("usage_id", "")), str(item.get("display_name", "")))
                for item in (row.path or []) if isinstance(item, dict)]
        result.append(BookmarkInfo(f"{username},{row.usage_id}", row.course_id, row.usage_id, row.block_type,
                                   row.display_name, path, row.created))
    return result
