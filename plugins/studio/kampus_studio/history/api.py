"""The `history` area's API for the other Studio areas: a course's versions and what one changed."""

from __future__ import annotations

from kampus_studio.history.diff import StructureDiff, diff_structures
from kampus_studio.history.service import HistoryPage, VersionRow, diff, history_page, revert


def history_url(course_id: str) -> str:
    """The URL of the course's history page."""
    return f"/studio/course/{course_id}/history"


__all__ = ["HistoryPage", "StructureDiff", "VersionRow", "diff", "diff_structures", "history_page", "history_url",
           "revert"]
