"""Content-store drivers and their interface, and :func:`content_store` (the current app's driver)."""

from kampus import current_kampus
from kampus_content.store.interface import (
    BRANCHES,
    DRAFT,
    PUBLISHED,
    Block,
    BlockKey,
    ContentStore,
    ContentStoreError,
    CourseExists,
    CourseIndex,
    CourseNotFound,
    Structure,
    VersionConflict,
    VersionInfo,
    VersionNotFound,
    new_version_id,
)


def content_store() -> ContentStore:
    """The content store of the current app (driver named by the ``content_store`` setting)."""
    return current_kampus().driver("content_store")


__all__ = [
    "BRANCHES",
    "DRAFT",
    "PUBLISHED",
    "Block",
    "BlockKey",
    "ContentStore",
    "ContentStoreError",
    "CourseExists",
    "CourseIndex",
    "CourseNotFound",
    "Structure",
    "VersionConflict",
    "VersionInfo",
    "VersionNotFound",
    "content_store",
    "new_version_id",
]
