"""The public API of the Studio plugin: what other plugins import (today: links into Studio)."""

from __future__ import annotations

from kampus_studio.access import can_author
from kampus_studio.views import URL_PREFIX


def course_outline_url(course_id: str) -> str:
    """The URL of a course's outline in Studio."""
    return f"{URL_PREFIX}/course/{course_id}/"


__all__ = ["can_author", "course_outline_url"]
