"""The public API of the content plugin: what other plugins (LMS, Studio, problems) import."""

from __future__ import annotations

from kampus import current_kampus
from kampus_content.store import (
    DRAFT,
    PUBLISHED,
    Block,
    BlockKey,
    ContentStore,
    CourseExists,
    CourseIndex,
    CourseNotFound,
    Structure,
    VersionConflict,
    VersionNotFound,
)


def content_store() -> ContentStore:
    """The content store of the current app (driver named by the ``content_store`` setting)."""
    return current_kampus().driver("content_store")


__all__ = [
    "DRAFT",
    "PUBLISHED",
    "Block",
    "BlockKey",
    "ContentStore",
    "CourseExists",
    "CourseIndex",
    "CourseNotFound",
    "Structure",
    "VersionConflict",
    "VersionNotFound",
    "content_store",
]
