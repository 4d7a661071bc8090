"""Shared by the notifications' tests: a published course, users in it, posts written into the tables and
the tracking events the posts' code emits after its writes."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask
from kampus_content.testing.xblocks import publish_course
from kampus_forums.interactions.models import Follow
from kampus_forums.notifications.models import Notification
from kampus_forums.threads.models import Comment, Thread
from kampus_lms import api as lms

from kampus.events.emit import emit_with
from kampus.testing import DEFAULT_COURSE, make_user

COURSE = DEFAULT_COURSE


def publish(app: Flask, course_id: str = COURSE) -> None:
    publish_course(app, course_id, {"u1": []})


def member(app: Flask, role: str = "user", course_id: str = COURSE, *, enrolled: bool = True, **fields: Any) -> Any:
    """A new user holding ``role`` in the course (enrolled unless told otherwise)."""
    user = make_user(app, role, course_id, **fields)
    if enrolled:
        with app.app_context():
            lms.enroll(user, course_id, check_access=False)
    return user


def thread_by(app: Flask, author: Any, *, title: str = "How do loops work?", body: str = "Question body",
              group_id: int | None = None, anonymous: bool = False, anonymous_to_peers: bool = False,
              thread_type: str = "question", followers: list[Any] = (),  # type: ignore[assignment]
              course_id: str = COURSE) -> int:
    with app.app_context(), app.extensions["kampus"].db.session_scope() as session:
        thread = Thread(course_id=course_id, commentable_id="course", thread_type=thread_type, title=title, body=body,
                        author_id=author.id, author_username=author.username, group_id=group_id,
                        anonymous=anonymous, anonymous_to_peers=anonymous_to_peers)
        session.add(thread)
        session.flush()
        for user in followers:
            session.add(Follow(user_id=user.id, thread_id=thread.id, course_id=course_id))
        return int(thread.id)


def follow(app: Flask, user: Any, thread_id: int) -> None:
    with app.app_context(), app.extensions["kampus"].db.session_scope() as session:
        session.add(Follow(user_id=user.id, thread_id=thread_id, course_id=COURSE))


def post(app: Flask, author: Any, thread_id: int, body: str, *, parent_id: int | None = None,
         anonymous: bool = False, emit: bool = True, course_id: str = COURSE) -> int:
    """A response (or a comment with ``parent_id``) written, then its ``created`` event emitted."""
    with app.app_context(), app.extensions["kampus"].db.session_scope() as session:
        comment = Comment(thread_id=thread_id, parent_id=parent_id, course_id=course_id, body=body,
                          author_id=author.id, author_username=author.username, anonymous=anonymous)
        session.add(comment)
        session.flush()
        comment_id = int(comment.id)
    if emit:
        data: dict[str, Any] = {"id": comment_id, "discussion": {"id": thread_id}, "commentable_id": "course",
                                "body": body}
        if parent_id is not None:
            data["response"] = {"id": parent_id}
        event(app, "edx.forum.comment.created" if parent_id else "edx.forum.response.created", data, author,
              course_id=course_id)
    return comment_id


def endorse(app: Flask, who: Any, comment_id: int, thread_id: int) -> None:
    with app.app_context(), app.extensions["kampus"].db.session_scope() as session:
        comment = session.get(Comment, comment_id)
        comment.endorsed, comment.endorsed_by_id = True, who.id
        author = comment.author_username
    event(app, "edx.forum.response.mark", {"id": comment_id, "discussion": {"id": thread_id}, "is_endorsed": True,
                                           "target_username": author, "commentable_id": "course"}, who)


def event(app: Flask, event_type: str, data: dict[str, Any], actor: Any, *, course_id: str = COURSE) -> None:
    with app.app_context():
        emit_with(app.extensions["kampus"], event_type, data, course_id=course_id, username=actor.username,
                  user_id=actor.id)


def notifications(app: Flask, user: Any | None = None) -> list[tuple[int, str, int | None, int | None, dict]]:
    """``(user id, kind, thread id, comment id, data)`` of the notifications (of ``user``), oldest first."""
    with app.app_context(), app.extensions["kampus"].db.session_scope() as session:
        query = sa.select(Notification).order_by(Notification.id)
        if user is not None:
            query = query.where(Notification.user_id == user.id)
        return [(row.user_id, row.kind, row.thread_id, row.comment_id, dict(row.data or {}))
                for row in session.scalars(query)]
