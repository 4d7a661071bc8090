"""The public API of the instructor dashboard plugin: what other plugins import (today: its URL)."""

from __future__ import annotations


def dashboard_url(course_id: str) -> str:
    """The URL of a course's instructor dashboard (Open edX's path)."""
    return f"/courses/{course_id}/instructor"


__all__ = ["dashboard_url"]
