"""Open edX's discussion course metadata: ``GET /api/discussion/v1/courses/<course_id>`` (``CourseView``)
and ``v2/courses/<course_id>`` (``CourseViewV2``, the same answer).

The answer (``api.get_course``): blackout periods, the thread list URLs, anonymity policy (the course's
``allow_anonymous`` / ``allow_anonymous_to_peers``), the requester's forum roles and privileges, whether
they may post now (no blackout for them, no ban or mute), the provider (``legacy``) and the moderators'
edit and close reasons.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint
from kampus_lms import api as lms
from pydantic import BaseModel
from werkzeug.wrappers import Response

from kampus.identity.roles import INSTRUCTOR, STAFF
from kampus_forums.access import ForumUser, active_restriction
from kampus_forums.moderation.roles import forum_role_names
from kampus_forums.rest.common import course_user, discussion_api
from kampus_forums.topics import reasons
from kampus_forums.topics.service import blackout_active, course_discussions

bp = Blueprint("forums_rest_courses", __name__)
lms.install_error_handler(bp)

THREADS_PATH = "/api/discussion/v1/threads/"
TOPICS_PATH = "/api/discussion/v1/course_topics/"


class Blackout(BaseModel):
    start: str
    end: str


class Reason(BaseModel):
    code: str
    label: str


class CourseMetadata(BaseModel):
    """Open edX's ``CourseMetadataSerializer`` as ``api.get_course`` fills it."""

    id: str
    is_posting_enabled: bool
    blackouts: list[Blackout]
    thread_list_url: str
    following_thread_list_url: str
    topics_url: str
    allow_anonymous: bool
    allow_anonymous_to_peers: bool
    user_roles: list[str]
    has_moderation_privileges: bool
    is_group_ta: bool
    is_user_admin: bool
    is_course_staff: bool
    is_course_admin: bool
    provider: str
    enable_in_context: bool
    group_at_subsection: bool
    edit_reasons: list[Reason]
    post_close_reasons: list[Reason]


class DeveloperError(BaseModel):
    developer_message: str


def _zulu(value: Any) -> str:
    return value.isoformat().replace("+00:00", "Z")


def thread_list_url(course_id: str, topic_ids: list[str] = (), *, following: bool = False) -> str:  # type: ignore[assignment]
    """Open edX's ``get_thread_list_url``: the absolute thread list URL of the course (its topics)."""
    query: list[tuple[str, str]] = [("course_id", course_id)]
    query.extend(("topic_id", topic_id) for topic_id in topic_ids)
    if following:
        query.append(("following", "True"))
    return lms.absolute(THREADS_PATH + "?" + urlencode(query))


def is_posting_enabled(who: ForumUser) -> bool:
    """Open edX's ``discussion_open_for_user`` (no blackout now, or a privileged user), and no ban or mute."""
    if blackout_active(who.course_id) and not who.is_privileged:
        return False
    return active_restriction(who.course_id, who.id) is None


def course_metadata(who: ForumUser) -> dict[str, Any]:
    """``api.get_course`` for the requesting user."""
    course_id = who.course_id
    discussions = course_discussions(course_id)
    return {
        "id": course_id,
        "is_posting_enabled": is_posting_enabled(who),
        "blackouts": [{"start": _zulu(start), "end": _zulu(end)} for start, end in discussions.blackouts],
        "thread_list_url": thread_list_url(course_id),
        "following_thread_list_url": thread_list_url(course_id, following=True),
        "topics_url": lms.absolute(TOPICS_PATH + course_id),
        "allow_anonymous": discussions.allow_anonymous,
        "allow_anonymous_to_peers": discussions.allow_anonymous_to_peers,
        "user_roles": forum_role_names(who),
        "has_moderation_privileges": who.is_moderator or who.is_community_ta,
        "is_group_ta": who.is_group_moderator,
        "is_user_admin": bool(who.user.is_staff),
        "is_course_staff": STAFF in who.roles,
        "is_course_admin": INSTRUCTOR in who.roles,
        "provider": "legacy",
        "enable_in_context": True,
        "group_at_subsection": False,
        "edit_reasons": reasons.as_list(reasons.edit_reasons()),
        "post_close_reasons": reasons.as_list(reasons.close_reasons()),
    }


_RESP = {200: CourseMetadata, 401: DeveloperError, 404: DeveloperError}


@bp.get("/api/discussion/v1/courses/<course_id>")
@discussion_api.doc(resp=_RESP)
def course_v1(course_id: str) -> Response:
    """The course's discussion metadata for the requesting user (enrolled or on the course team)."""
    return lms.json_answer(course_metadata(course_user(course_id)))


@bp.get("/api/discussion/v2/courses/<course_id>")
@discussion_api.doc(resp=_RESP)
def course_v2(course_id: str) -> Response:
    """The course's discussion metadata (as v1)."""
    return lms.json_answer(course_metadata(course_user(course_id)))
