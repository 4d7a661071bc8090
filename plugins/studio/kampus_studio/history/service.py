"""A course's history for Studio: pages of versions with who and when, diffs, and revert."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from kampus_content.api import DRAFT, Structure, VersionInfo, content_store, get_structure
from kampus_content.api import history as content_history
from kampus_content.api import revert as content_revert

from kampus import current_kampus, db
from kampus.identity.models import User
from kampus_studio.history.diff import MAX_TEXT_FILE, StructureDiff, diff_structures

#: Versions per page of the history.
PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class VersionRow:
    """One version of the course as the history shows it."""

    version: str
    previous_version: str | None
    username: str | None
    edited_at: datetime | None
    message: str
    published: bool
    is_draft: bool
    is_live: bool

    def to_json(self) -> dict[str, Any]:
        return {"version": self.version, "previous_version": self.previous_version, "username": self.username,
                "edited_at": self.edited_at.isoformat() if self.edited_at else None, "message": self.message,
                "published": self.published, "is_draft": self.is_draft, "is_live": self.is_live}


@dataclass(frozen=True)
class HistoryPage:
    rows: list[VersionRow]
    page: int
    page_size: int
    has_next: bool
    draft_version: str


def usernames(user_ids: set[int]) -> dict[int, str]:
    """User names by id (one query)."""
    if not user_ids:
        return {}
    query = sa.select(User.id, User.username).where(User.id.in_(sorted(user_ids)))
    return {row.id: row.username for row in db.session().execute(query)}


def history_page(course_id: str, page: int = 1, page_size: int = PAGE_SIZE) -> HistoryPage:
    """Page ``page`` (1 first) of the course's versions, newest first. Raises ``CourseNotFound``."""
    page, page_size = max(1, page), max(1, min(MAX_PAGE_SIZE, page_size))
    index = content_store().get_course_index(course_id)
    infos: list[VersionInfo] = content_history(course_id, limit=page * page_size + 1)
    window = infos[(page - 1) * page_size: page * page_size]
    names = usernames({info.edited_by for info in window if info.edited_by is not None})
    rows = [VersionRow(info.version, info.previous_version,
                       names.get(info.edited_by) if info.edited_by is not None else None, info.edited_at,
                       info.message, info.published, info.version == index.draft_version,
                       info.version == index.published_version) for info in window]
    return HistoryPage(rows, page, page_size, len(infos) > page * page_size, index.draft_version)


def version_structure(course_id: str, version: str) -> Structure:
    """The structure ``version`` of the course. Raises ``VersionNotFound``."""
    return content_store().get_structure(course_id, version)


def diff(course_id: str, version: str, against: str | None = None) -> StructureDiff:
    """What ``version`` changed from ``against`` (default: its predecessor; an empty course when it has none).
    Raises ``VersionNotFound``."""
    new = version_structure(course_id, version)
    base = against or new.previous_version
    if base is None:
        old = Structure(version="", course_key=course_id, root=new.root, blocks={})
    else:
        old = version_structure(course_id, base)
    return diff_structures(old, new, _small_blob)


def _small_blob(key: str) -> bytes | None:
    """A blob's bytes when it is small enough for a line diff (else ``None``)."""
    blobs = current_kampus().blob_store
    if blobs.info(key).size > MAX_TEXT_FILE:
        return None
    return blobs.get(key)


def revert(course_id: str, version: str, *, user_id: int | None, expected_version: str | None) -> Structure:
    """A new draft equal to ``version`` (the draft must still be ``expected_version`` when one is given:
    ``VersionConflict`` otherwise). The old version must be one of this course's (``VersionNotFound``)."""
    version_structure(course_id, version)
    return content_revert(course_id, version, user_id=user_id, expected_version=expected_version)


def draft_version(course_id: str) -> str:
    """The version the course's draft is at."""
    return get_structure(course_id, DRAFT).version
