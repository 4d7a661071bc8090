"""Storage hooks: database migrations and content life-cycle."""

from __future__ import annotations

from typing import Any

from kampus_hookspecs._marker import hookspec


@hookspec
def kampus_migration_locations() -> list[str]:
    """Return folders of Alembic revision files that this plugin owns.

    The first revision of a plugin carries ``branch_labels = ("<plugin>",)``;
    ``kampus migrate`` upgrades every enabled plugin's branch to its head.
    """


@hookspec
def kampus_content_published(course_id: str, version: str, user_id: int | None) -> None:
    """Called after the draft of ``course_id`` was published as ``version``."""


@hookspec
def kampus_content_changed(course_id: str, version: str, user_id: int | None) -> None:
    """Called after the draft of ``course_id`` moved to a new ``version``."""


@hookspec
def kampus_content_deleted(course_id: str) -> None:
    """Called after ``course_id`` was deleted."""


@hookspec
def kampus_course_export(course_id: str, files: dict[str, bytes]) -> None:
    """Add files to an OLX export of ``course_id``: set ``files[path] = data``
    with paths relative to the course folder."""


@hookspec
def kampus_course_import(course_id: str, files: Any) -> None:
    """Read this plugin's own files from an OLX archive being imported into
    ``course_id``. ``files`` maps relative paths to bytes. Raise ``ValueError``
    to refuse the import; nothing is written then."""
