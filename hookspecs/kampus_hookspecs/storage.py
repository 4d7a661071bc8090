"""Storage hooks: database migrations and content life-cycle."""

from __future__ import annotations

from collections.abc import Mapping

from kampus_hookspecs._marker import hookspec


@hookspec
def kampus_migration_locations() -> list[str]:
    """Return folders of Alembic revision files that this plugin owns.

    The first revision of a plugin carries ``branch_labels = ("<plugin>",)``;
    ``kampus migrate`` upgrades every enabled plugin's branch to its head.
    """


@hookspec
def kampus_content_published(course_id: str, version: str, user_id: int | None) -> None:
    """Called once after the draft of ``course_id`` was published as ``version``
    (committed; never for a publish that failed or conflicted)."""


@hookspec
def kampus_content_changed(course_id: str, version: str, user_id: int | None) -> None:
    """Called once per content-store operation after the draft of ``course_id``
    moved to a new ``version`` and the change is committed: a course created,
    imported or rerun, a draft saved or edited, changes discarded, a revert.
    An import calls it once, not per block; a conflicting save never."""


@hookspec
def kampus_content_deleted(course_id: str) -> None:
    """Called once after ``course_id`` and its history were deleted (committed)."""


@hookspec
def kampus_course_export(course_id: str, files: dict[str, bytes]) -> None:
    """Add files to an OLX export of ``course_id``: set ``files[path] = data``
    (bytes) with paths relative to the course folder, e.g.
    ``files["myplugin/settings.json"] = b"{}"``. A later import hands them back
    to :func:`kampus_course_import`."""


@hookspec
def kampus_course_import(course_id: str, files: Mapping[str, bytes]) -> None:
    """Read this plugin's own files from an OLX course being imported into
    ``course_id``, before anything is written. ``files`` maps relative paths of
    the files the course tree does not use (``static/``, plugin files, ...) to
    their bytes, read when asked for. Raise ``ValueError`` with a message to
    refuse the import; nothing is written then."""
