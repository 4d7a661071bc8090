"""Open edX's ``GET /api/discussion/v1/courses/<course_key>/activity_stats`` (``CourseActivityStatsView``):
each user's threads, responses and replies in the course, with their flags for privileged users.

Query: ``order_by`` (``activity``, ``flagged``, ``recency``; default ``flagged`` for privileged users,
``activity`` for others, who may not sort by flags: 400), ``page``, ``page_size``, ``username`` (users
enrolled whose name contains it, zeros included; emits ``edx.forum.searched``). Answer: the discussion
API's pages of ``{"username", "threads", "responses", "replies", "active_flags", "inactive_flags"}``
(flags ``null`` for users without moderation privileges). Enrolled users and the course team may read it.
"""

from __future__ import annotations

from flask import Blueprint, request
from kampus_lms import api as lms
from pydantic import BaseModel, Field
from werkzeug.wrappers import Response

from kampus.events.emit import emit
from kampus_forums.moderation import stats
from kampus_forums.rest.common import course_user, discussion_api, field_error, page, paginated
from kampus_forums.rest.moderation import Pagination
from kampus_forums.rest.settings import ErrorBody

bp = Blueprint("forums_rest_stats", __name__)
lms.install_error_handler(bp)


class StatsQuery(BaseModel):
    order_by: str | None = Field(None, description="activity, flagged (privileged users) or recency.")
    username: str | None = Field(None, description="Only enrolled users whose username contains this.")
    page: int | None = None
    page_size: int | None = None


class UserStatsItem(BaseModel):
    username: str
    threads: int
    responses: int
    replies: int
    active_flags: int | None
    inactive_flags: int | None


class StatsPage(BaseModel):
    results: list[UserStatsItem]
    pagination: Pagination


@bp.get("/api/discussion/v1/courses/<course_key>/activity_stats")
@discussion_api.doc(query=StatsQuery, validate=False,
                    resp={200: StatsPage, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody})
def activity_stats(course_key: str) -> Response:
    """Each user's discussion activity in the course."""
    who = course_user(course_key)
    order_by = request.args.get("order_by") or (stats.FLAGGED if who.is_privileged else stats.ACTIVITY)
    if order_by not in stats.ORDERINGS:
        raise field_error({"order_by": f"Select a valid choice. {order_by} is not one of the available choices."})
    if order_by == stats.FLAGGED and not who.is_privileged:
        raise field_error({"order_by": "Invalid value"})
    search = request.args.get("username") or None
    user_ids = stats.enrolled_matching(who.course_id, search) if search else None
    total = stats.count_user_stats(who.course_id, user_ids=user_ids)
    window = page(total)
    if search:
        emit("edx.forum.searched", {"query": search, "search_type": "Learner", "page": window.page,
                                    "sort_key": order_by, "total_results": total}, course_id=who.course_id)
    rows = stats.user_stats(who.course_id, order_by, offset=window.offset, limit=window.limit,
                                    user_ids=user_ids)
    results = [{"threads": r.threads, "replies": r.replies, "responses": r.responses,
                "active_flags": r.active_flags if who.is_privileged else None,
                "inactive_flags": r.inactive_flags if who.is_privileged else None, "username": r.username}
               for r in rows]
    return lms.json_answer(paginated(results, window))
