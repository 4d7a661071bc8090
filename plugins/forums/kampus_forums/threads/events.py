"""The posts' tracking events: Open edX's ``track_forum_event`` fields (``django_comment_client/base/views.py``),
gathered during a write and emitted after it commits (:class:`PendingEvents`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import has_request_context, request

from kampus.events.emit import emit
from kampus.identity.roles import (
    BETA_TESTER,
    COMMUNITY_TA,
    DISCUSSION_ADMIN,
    DISCUSSION_MODERATOR,
    GROUP_MODERATOR,
    INSTRUCTOR,
    STAFF,
    TA,
)
from kampus_forums.access import ForumUser
from kampus_forums.threads.models import Comment, Thread
from kampus_forums.threads.rules import course_policy

EVENT_BODY_MAX = 2000
EVENT_TITLE_MAX = 1000
FORUM_ROLE_NAMES = {DISCUSSION_ADMIN: "Administrator", DISCUSSION_MODERATOR: "Moderator",
                    GROUP_MODERATOR: "Group Moderator", COMMUNITY_TA: "Community TA"}
COURSE_ROLE_NAMES = (INSTRUCTOR, STAFF, TA, BETA_TESTER)


def topic_name(course_id: str, topic_id: str) -> str:
    discussions = course_policy(course_id)
    for topic in (*discussions.course_wide, *discussions.inline):
        if topic.id == topic_id:
            return topic.name
    return ""


def put_truncated(data: dict[str, Any], name: str, text: str, limit: int, flag: str) -> None:
    data[name] = text[:limit]
    data[flag] = len(text) > limit


def event_base(who: ForumUser, content_id: int, commentable_id: str) -> dict[str, Any]:
    """Open edX's ``track_forum_event`` common fields."""
    return {
        "id": str(content_id),
        "commentable_id": commentable_id,
        "category_id": commentable_id,
        "category_name": topic_name(who.course_id, commentable_id),
        "url": (request.referrer or "") if has_request_context() else "",
        "user_forums_roles": sorted(FORUM_ROLE_NAMES[r] for r in who.roles if r in FORUM_ROLE_NAMES)
        + (["Student"] if who.enrolled else []),
        "user_course_roles": sorted(r for r in who.roles if r in COURSE_ROLE_NAMES),
    }


@dataclass
class PendingEvents:
    """Events of one write, emitted after it commits."""

    course_id: str
    pending: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def add(self, event_type: str, data: dict[str, Any]) -> None:
        self.pending.append((event_type, data))

    def emit(self) -> None:
        for event_type, data in self.pending:
            emit(event_type, data, course_id=self.course_id)
        self.pending.clear()


def thread_event(who: ForumUser, thread: Thread, **extra: Any) -> dict[str, Any]:
    data = event_base(who, thread.id, thread.commentable_id)
    data.update(extra)
    return data


def comment_event(who: ForumUser, comment: Comment, thread: Thread, **extra: Any) -> dict[str, Any]:
    data = event_base(who, comment.id, thread.commentable_id)
    data["discussion"] = {"id": str(thread.id)}
    if comment.parent_id is not None:
        data["response"] = {"id": str(comment.parent_id)}
    data.update(extra)
    return data


def kind_of(comment: Comment) -> str:
    """``response`` or ``comment`` (the events' names)."""
    return "response" if comment.parent_id is None else "comment"
