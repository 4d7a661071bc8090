"""Shared by the course and moderation tests: a published course with discussion blocks, users in it,
threads and comments written straight into the tables."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from kampus_content.store import Block
from kampus_content.testing.xblocks import publish_course
from kampus_forums.interactions.models import AbuseFlag
from kampus_forums.threads.models import Comment, Thread
from kampus_lms import api as lms

from kampus.db import utcnow
from kampus.testing import DEFAULT_COURSE, login, make_user

COURSE = DEFAULT_COURSE
API = "/api/discussion"
MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}


def publish_discussion_course(app: Flask, course_id: str = COURSE, **course_fields: Any) -> dict[str, str]:
    """Publish ``course_id`` with two units holding discussion blocks (one with its own category and id,
    one with only a block id) and the course fields given (e.g. ``discussion_topics``)."""
    return publish_course(app, course_id, {
        "unit1": [Block("discussion", "disc1", {"display_name": "Talk", "discussion_id": "topic-a",
                                                "discussion_category": "Week 10",
                                                "discussion_target": "Alpha"})],
        "unit2": [Block("discussion", "disc2", {"display_name": "Talk 2", "discussion_category": "Week 2",
                                                "discussion_target": "Beta"}),
                  Block("discussion", "disc3", {"discussion_id": "topic-c"})],
    }, course_fields=course_fields)


def user_in(app: Flask, role: str = "user", course_id: str = COURSE, *, enrolled: bool = True,
            **fields: Any) -> Any:
    """A new user holding ``role`` in the course, enrolled unless told otherwise."""
    user = make_user(app, role, course_id, **fields)
    if enrolled:
        with app.app_context():
            lms.enroll(user, course_id, check_access=False)
    return user


def client_of(app: Flask, user: Any) -> Any:
    return login(app.test_client(), user)


def add_thread(app: Flask, author: Any, *, course_id: str = COURSE, topic: str = "course",
               thread_type: str = "discussion", title: str = "A thread", body: str = "Hello",
               deleted: bool = False, group_id: int | None = None, flaggers: list[Any] = ()) -> int:  # type: ignore[assignment]
    """A thread written into the table (with current abuse flags by ``flaggers``); returns its id."""
    with app.app_context(), app.extensions["kampus"].db.session_scope() as session:
        thread = Thread(course_id=course_id, commentable_id=topic, thread_type=thread_type, title=title, body=body,
                        author_id=author.id, author_username=author.username, group_id=group_id,
                        abuse_flag_count=len(flaggers), deleted_at=utcnow() if deleted else None)
        session.add(thread)
        session.flush()
        for flagger in flaggers:
            session.add(AbuseFlag(content_type="thread", content_id=thread.id, course_id=course_id,
                                  user_id=flagger.id))
        return int(thread.id)


def add_comment(app: Flask, author: Any, thread_id: int, *, parent_id: int | None = None, body: str = "Reply",
                course_id: str = COURSE, flaggers: list[Any] = (), cleared_flaggers: list[Any] = (),  # type: ignore[assignment]
                ) -> int:
    """A response (no ``parent_id``) or comment written into the table; returns its id."""
    with app.app_context(), app.extensions["kampus"].db.session_scope() as session:
        comment = Comment(thread_id=thread_id, parent_id=parent_id, course_id=course_id, body=body,
                          author_id=author.id, author_username=author.username, abuse_flag_count=len(flaggers))
        session.add(comment)
        session.flush()
        for flagger in flaggers:
            session.add(AbuseFlag(content_type="comment", content_id=comment.id, course_id=course_id,
                                  user_id=flagger.id))
        for flagger in cleared_flaggers:
            session.add(AbuseFlag(content_type="comment", content_id=comment.id, course_id=course_id,
                                  user_id=flagger.id, cleared_at=utcnow() - timedelta(minutes=1)))
        return int(comment.id)
