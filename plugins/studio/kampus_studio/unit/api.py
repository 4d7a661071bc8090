"""The public API of Studio's `unit` area: links to the unit editor for the other areas."""

from __future__ import annotations


def unit_url(course_id: str, usage_id: str) -> str:
    """The URL of the unit editor of unit ``usage_id`` of course ``course_id``."""
    return f"/studio/course/{course_id}/unit/{usage_id}"


def unit_preview_url(course_id: str, usage_id: str) -> str:
    """The URL of the learner's preview of a unit's draft."""
    return f"{unit_url(course_id, usage_id)}/preview"


__all__ = ["unit_preview_url", "unit_url"]
