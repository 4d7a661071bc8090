"""Votes (one per user and post, ``vote_count`` kept on the post), follows and abuse flags, as the threads
service applies them inside its writes; and :func:`clear_flags`, a moderator clearing a post's flags (kept as
history with ``cleared_at``)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from kampus import db
from kampus.db import utcnow
from kampus_forums.access import ForumUser
from kampus_forums.interactions.models import AbuseFlag, Follow, Vote
from kampus_forums.moderation import audit
from kampus_forums.threads.events import (
    EVENT_BODY_MAX,
    EVENT_TITLE_MAX,
    PendingEvents,
    comment_event,
    kind_of,
    put_truncated,
    thread_event,
)
from kampus_forums.threads.models import COMMENT, THREAD, Comment, Thread
from kampus_forums.threads.rules import (
    COMMENT_NOT_FOUND,
    THREAD_NOT_FOUND,
    check_visible,
    forbidden,
    get_comment,
    get_thread,
    invalid,
    is_privileged_on,
    not_found,
)


def set_follow(who: ForumUser, thread: Thread, value: bool, events: PendingEvents) -> None:
    session = db.session()
    existing = session.scalar(sa.select(Follow.id).where(Follow.user_id == who.id, Follow.thread_id == thread.id))
    if value and existing is None:
        try:
            with session.begin_nested():
                session.add(Follow(user_id=who.id, thread_id=thread.id, course_id=thread.course_id))
        except IntegrityError:
            return
        events.add("edx.forum.thread.followed", thread_event(who, thread, followed=True,
                                                              target_username=thread.author_username))
    elif not value and existing is not None:
        session.execute(sa.delete(Follow).where(Follow.id == existing))
        events.add("edx.forum.thread.unfollowed", thread_event(who, thread, followed=False,
                                                                target_username=thread.author_username))


def set_vote(who: ForumUser, content_type: str, post: Thread | Comment, thread: Thread, value: bool,
              events: PendingEvents) -> None:
    """One up-vote per user and post; ``vote_count`` kept on the post."""
    session = db.session()
    model = type(post)
    existing = session.scalar(sa.select(Vote.id).where(Vote.content_type == content_type,
                                                       Vote.content_id == post.id, Vote.user_id == who.id))
    if value and existing is None:
        try:
            with session.begin_nested():
                session.add(Vote(content_type=content_type, content_id=post.id, user_id=who.id))
        except IntegrityError:  # a double submit: already voted
            return
        session.execute(sa.update(model).where(model.id == post.id).values(vote_count=model.vote_count + 1))
    elif not value and existing is not None:
        session.execute(sa.delete(Vote).where(Vote.id == existing))
        session.execute(sa.update(model).where(model.id == post.id)
                        .values(vote_count=sa.case((model.vote_count > 0, model.vote_count - 1), else_=0)))
    else:
        return
    session.refresh(post, ["vote_count"])
    name = "edx.forum.thread.voted" if content_type == THREAD else "edx.forum.response.voted"
    extra = {"target_username": post.author_username, "undo_vote": not value, "vote_value": "up"}
    events.add(name, thread_event(who, thread, **extra) if content_type == THREAD
               else comment_event(who, post, thread, **extra))  # type: ignore[arg-type]


def flag_event(who: ForumUser, content_type: str, post: Thread | Comment, thread: Thread,
                **extra: Any) -> dict[str, Any]:
    if content_type == THREAD:
        data = thread_event(who, thread, content_type="Post", thread_type=thread.thread_type,
                             group_id=thread.group_id, target_username=thread.author_username, **extra)
        put_truncated(data, "title", thread.title, EVENT_TITLE_MAX, "title_truncated")
    else:
        data = comment_event(who, post, thread, content_type=kind_of(post).capitalize(),  # type: ignore[arg-type]
                              target_username=post.author_username, **extra)
    put_truncated(data, "body", post.body, EVENT_BODY_MAX, "truncated")
    return data


def set_flag(who: ForumUser, content_type: str, post: Thread | Comment, thread: Thread, value: bool,
              events: PendingEvents) -> None:
    """Flag (once per user); un-flag: the user's own flag, or every current flag when a privileged user
    un-flags (kept as history with ``cleared_at``)."""
    session = db.session()
    model = type(post)
    mine = session.scalar(sa.select(AbuseFlag.id).where(
        AbuseFlag.content_type == content_type, AbuseFlag.content_id == post.id, AbuseFlag.user_id == who.id,
        AbuseFlag.cleared_at.is_(None)))
    prefix = "edx.forum.thread" if content_type == THREAD else f"edx.forum.{kind_of(post)}"  # type: ignore[arg-type]
    if value:
        if mine is not None:
            return
        session.add(AbuseFlag(content_type=content_type, content_id=post.id, course_id=thread.course_id,
                              user_id=who.id))
        session.execute(sa.update(model).where(model.id == post.id)
                        .values(abuse_flag_count=model.abuse_flag_count + 1))
        session.refresh(post, ["abuse_flag_count"])
        events.add(f"{prefix}.reported", flag_event(who, content_type, post, thread))
        return
    if is_privileged_on(who, thread):
        cleared = clear_all_flags(who, content_type, post, thread)
        if not cleared:
            return
    elif mine is not None:
        session.execute(sa.delete(AbuseFlag).where(AbuseFlag.id == mine))
        session.execute(sa.update(model).where(model.id == post.id).values(
            abuse_flag_count=sa.case((model.abuse_flag_count > 0, model.abuse_flag_count - 1), else_=0)))
        session.refresh(post, ["abuse_flag_count"])
    else:
        return
    events.add(f"{prefix}.unreported", flag_event(who, content_type, post, thread,
                                                   reported_status_cleared=post.abuse_flag_count == 0))


def clear_all_flags(who: ForumUser, content_type: str, post: Thread | Comment, thread: Thread) -> int:
    session = db.session()
    model = type(post)
    result = session.execute(sa.update(AbuseFlag).where(
        AbuseFlag.content_type == content_type, AbuseFlag.content_id == post.id, AbuseFlag.cleared_at.is_(None))
        .values(cleared_at=utcnow(), cleared_by_id=who.id))
    session.execute(sa.update(model).where(model.id == post.id).values(abuse_flag_count=0))
    session.refresh(post, ["abuse_flag_count"])
    if result.rowcount:
        audit.record(thread.course_id, who, "flag.cleared", target_type=content_type, target_id=post.id,
                     target_user_id=post.author_id, details={"flags": int(result.rowcount)})
    return int(result.rowcount or 0)


def clear_flags(who: ForumUser, content_type: str, content_id: Any) -> int:
    """A moderator clears every current flag of a thread or comment (kept as history), committed; returns how
    many were cleared. 404 for an unknown post, 403 for a user without moderation privilege on it."""
    post: Thread | Comment | None
    if content_type == THREAD:
        post = get_thread(content_id)
        thread = post
    elif content_type == COMMENT:
        post = get_comment(content_id)
        thread = get_thread(post.thread_id) if post is not None else None
    else:
        raise invalid({"content_type": "Must be thread or comment."})
    if post is None or thread is None:
        raise not_found(THREAD_NOT_FOUND if content_type == THREAD else COMMENT_NOT_FOUND)
    check_visible(who, thread)
    if not is_privileged_on(who, thread):
        raise forbidden()
    events = PendingEvents(who.course_id)
    cleared = clear_all_flags(who, content_type, post, thread)
    db.session().commit()
    if cleared:
        prefix = "edx.forum.thread" if content_type == THREAD else f"edx.forum.{kind_of(post)}"  # type: ignore[arg-type]
        events.add(f"{prefix}.unreported", flag_event(who, content_type, post, thread, reported_status_cleared=True))
        events.emit()
    return cleared
