"""Content-store drivers and their interface."""

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
)

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
]
