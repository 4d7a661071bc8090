"""The Discussion course tab (the forums' answer to ``kampus_course_tabs``)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from kampus_forums.web.access import can_read_forums
from kampus_forums.web.config import forum_url

#: The tab's place among the course tabs (the LMS's ``DEFAULT_ORDERS["discussion"]``).
DISCUSSION_ORDER = 60


def discussion_tab(course_id: str, user: Any) -> list[dict[str, Any]]:
    """The "Discussion" tab, for enrolled learners and the course team (nobody else may read the forums)."""
    if not can_read_forums(user, course_id):
        return []
    return [{"type": "discussion", "id": "discussion", "name": _("Discussion"), "url": forum_url(course_id),
             "order": DISCUSSION_ORDER}]
