"""The `transfer` area's API for the other Studio areas: links to the import and export pages, the
state of a course's latest import."""

from __future__ import annotations

from typing import Any

from kampus_studio.transfer import uploads


def import_url(course_id: str) -> str:
    """The URL of the course's import page."""
    return f"/studio/course/{course_id}/import"


def export_url(course_id: str) -> str:
    """The URL of the course's export page."""
    return f"/studio/course/{course_id}/export"


def latest_import(course_id: str) -> dict[str, Any] | None:
    """The course's latest import upload as the API shows it (state, errors, warnings), or ``None``."""
    upload = uploads.latest_upload(course_id)
    return uploads.upload_json(upload) if upload is not None else None


__all__ = ["export_url", "import_url", "latest_import"]
