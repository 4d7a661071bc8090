"""Posting in a course's forums: threads, responses and comments, and what users do with them.

The rules are Open edX's (``lms/djangoapps/discussion/rest_api`` and the comments service):

* a thread is a discussion or a question; a *response* answers it, a *comment* answers a response (one
  level: a comment on a comment is refused);
* every write is one transaction; the tracking events (``edx.forum.*``, Open edX's names and fields,
  :mod:`kampus_forums.threads.events`) are emitted after it commits, which feeds the notifications and the
  search index;
* who may do what, anonymity, cohorts, bans, mutes and blackouts: :mod:`kampus_forums.threads.rules`;
  votes, follows and flags: :mod:`kampus_forums.interactions.service`; lists:
  :mod:`kampus_forums.threads.listing`. This module re-exports what other areas use, so they import it only;
* the same post sent again by its author within :data:`DOUBLE_SUBMIT_WINDOW` is answered with the first one.

Errors are :class:`ForumError` (``status``, ``message``, ``field_errors``), which the REST API answers
as Open edX's ``developer_message`` / ``field_errors`` bodies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from kampus import db
from kampus.db import utcnow
from kampus.events.emit import emit
from kampus_forums.access import ForumUser
from kampus_forums.interactions.models import Follow
from kampus_forums.interactions.service import clear_flags, set_flag, set_follow, set_vote
from kampus_forums.moderation import audit
from kampus_forums.threads.bodies import NOT_STORABLE, body_error, render_for_save, storable
from kampus_forums.threads.events import (
    EVENT_BODY_MAX,
    EVENT_TITLE_MAX,
    PendingEvents,
    comment_event,
    kind_of,
    put_truncated,
    thread_event,
)
from kampus_forums.threads.listing import (
    ORDER_KEYS,
    PAGE_NOT_FOUND,
    VIEWS,
    Lookups,
    Page,
    children_of,
    list_child_comments,
    list_comments,
    list_threads,
    list_user_comments,
    lookups,
    thread_viewed,
)
from kampus_forums.threads.models import COMMENT, QUESTION, THREAD, THREAD_TYPES, Comment, EditRecord, ReadState, Thread
from kampus_forums.threads.rendering import rendered
from kampus_forums.threads.rules import (
    BAD_PARENT,
    BLACKOUT,
    BLANK,
    COMMENT_NOT_FOUND,
    NOT_EDITABLE,
    NOT_IN_UPDATE,
    NOT_INITIALIZABLE,
    PERMISSION_DENIED,
    REQUIRED,
    THREAD_NOT_FOUND,
    TOO_DEEP,
    ForumError,
    author_visible,
    can_delete,
    check_may_interact,
    check_may_post,
    check_not_blackout,
    check_post_rate,
    check_visible,
    comment_editable_fields,
    course_policy,
    forbidden,
    get_comment,
    get_thread,
    int_id,
    invalid,
    is_privileged_on,
    not_found,
    thread_editable_fields,
)
from kampus_forums.topics import groups, reasons
from kampus_forums.topics import service as topics

__all__ = [
    "BAD_PARENT", "BLACKOUT", "BLANK", "COMMENT_NOT_FOUND", "NOT_EDITABLE", "NOT_INITIALIZABLE", "NOT_IN_UPDATE",
    "ORDER_KEYS", "PAGE_NOT_FOUND", "PERMISSION_DENIED", "REQUIRED", "THREAD_NOT_FOUND", "TOO_DEEP", "VIEWS",
    "ForumError", "Lookups", "Page", "PostIds", "author_visible", "can_delete", "check_visible", "children_of",
    "clear_flags", "comment_action_errors", "comment_editable_fields", "create_comment", "create_thread",
    "delete_comment", "delete_thread", "get_comment", "get_thread", "get_thread_detail", "int_id",
    "is_privileged_on", "list_child_comments", "list_comments", "list_threads", "list_user_comments", "lookups",
    "mark_read", "rendered", "replace_username", "retire_user", "thread_action_errors", "thread_editable_fields",
    "thread_of", "thread_viewed", "update_comment", "update_thread", "user_post_ids", "UNSET",
]

MAX_TITLE = 1000
MAX_BODY = 100_000
DOUBLE_SUBMIT_WINDOW = timedelta(seconds=30)
#: ``group_id`` not given to :func:`create_thread` (as opposed to an explicit ``None``: all groups)
UNSET: Any = object()


def _text_value(errors: dict[str, str], name: str, value: Any, limit: int) -> str | None:
    """``value`` when it is a non-blank storable string of at most ``limit`` characters (a body: not too
    complex to render, :func:`~kampus_forums.threads.bodies.body_error`), else ``None`` with its error."""
    if not isinstance(value, str):
        errors[name] = "Not a valid string."
        return None
    if not value.strip():
        errors[name] = BLANK
        return None
    if "\x00" in value:
        errors[name] = "Null characters are not allowed."
        return None
    if len(value) > limit:
        errors[name] = f"Ensure this field has no more than {limit} characters."
        return None
    problem = body_error(value) if name == "raw_body" else (None if storable(value) else NOT_STORABLE)
    if problem is not None:
        errors[name] = problem
        return None
    return value


def _edit_reason_value(errors: dict[str, str], values: dict[str, Any], changes: dict[str, Any]) -> None:
    """Take ``edit_reason_code`` from a PATCH into ``values``; an unknown code is a field error."""
    if "edit_reason_code" in changes:
        if changes["edit_reason_code"] not in reasons.edit_reasons():
            errors["edit_reason_code"] = "Invalid edit reason code"
        values["edit_reason_code"] = changes["edit_reason_code"]


def _bool_value(errors: dict[str, str], name: str, value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if value in ("true", "True", "1", 1):
        return True
    if value in ("false", "False", "0", 0):
        return False
    errors[name] = "Must be a valid boolean."
    return None


def thread_action_errors(actions: dict[str, Any]) -> dict[str, str]:
    """Open edX's ``ThreadActionsForm``: the field errors of the action fields (``following``, ``voted``,
    ``abuse_flagged``, ``read``, ``pinned``, ``closed``, ``close_reason_code``) a new thread is posted with,
    checked before anything is written."""
    errors: dict[str, str] = {}
    for name in ("following", "voted", "abuse_flagged", "read", "pinned", "closed"):
        if name in actions:
            _bool_value(errors, name, actions[name])
    if "close_reason_code" in actions and actions["close_reason_code"] not in reasons.close_reasons():
        errors["close_reason_code"] = "Invalid close reason code"
    return errors


def comment_action_errors(actions: dict[str, Any]) -> dict[str, str]:
    """Open edX's ``CommentActionsForm``: the field errors of the action fields (``voted``,
    ``abuse_flagged``, ``endorsed``) a new comment is posted with, checked before anything is written."""
    errors: dict[str, str] = {}
    for name in ("voted", "abuse_flagged", "endorsed"):
        if name in actions:
            _bool_value(errors, name, actions[name])
    return errors


def _valid_group(errors: dict[str, str], course_id: str, value: Any) -> int | None:
    if value is None:
        return None
    try:  # a cohort id, or a negated enrollment-track id
        number: int | None = int(str(value))
    except (TypeError, ValueError):
        number = None
    if number is None or not -2**31 < number < 2**31 or not groups.group_exists(course_id, number):
        errors["group_id"] = "Invalid group id"
        return None
    return number


# -- threads ---------------------------------------------------------------------------------------------------------


def create_thread(who: ForumUser, course_id: str, topic_id: Any, thread_type: Any, title: Any, raw_body: Any, *,
                  anonymous: bool = False, anonymous_to_peers: bool = False, following: Any = True,
                  group_id: Any = UNSET, from_mfe_sidebar: bool = False,
                  action_errors: dict[str, str] | None = None) -> Thread:
    """Post a thread (committed; the author follows it unless ``following`` is false). ``group_id`` is
    honoured for privileged users of a divided course, where ``None`` posts to all groups; otherwise (or
    when ``group_id`` is not given) a thread of a divided topic takes the author's cohort, as Open edX's
    ``create_thread`` does. ``action_errors`` (:func:`thread_action_errors` of the actions the caller
    applies next) are answered with the thread's own field errors, before anything is written."""
    if str(course_id) != who.course_id:
        raise invalid({"course_id": "Invalid value."})
    check_may_post(who)
    check_not_blackout(who)
    errors: dict[str, str] = {}
    topic = _text_value(errors, "topic_id", topic_id, 255)
    if topic is not None and not topics.topic_exists(who.course_id, topic):
        errors["topic_id"] = "Invalid topic id"
    if thread_type not in THREAD_TYPES:
        errors["type"] = f'"{thread_type}" is not a valid choice.'
    clean_title = _text_value(errors, "title", title, MAX_TITLE)
    body = _text_value(errors, "raw_body", raw_body, MAX_BODY)
    following = _bool_value(errors, "following", following)
    errors.update(action_errors or {})
    policy = course_policy(who.course_id)
    if anonymous and not policy.allow_anonymous:
        errors["anonymous"] = NOT_INITIALIZABLE
    if anonymous_to_peers and not policy.allow_anonymous_to_peers:
        errors["anonymous_to_peers"] = NOT_INITIALIZABLE
    group = None
    may_choose_group = who.is_privileged and topics.division(who.course_id).enabled
    if group_id is not UNSET and group_id is not None:
        if not may_choose_group:
            errors["group_id"] = NOT_INITIALIZABLE
        else:
            group = _valid_group(errors, who.course_id, group_id)
    if errors:
        raise invalid(errors)
    assert topic is not None and clean_title is not None and body is not None
    all_groups = group_id is None and may_choose_group  # an explicit null from the course team
    if group is None and not all_groups and topics.is_divided(who.course_id, topic):
        group = who.group_id
    now = utcnow()
    session = db.session()
    again = session.scalar(sa.select(Thread).where(
        Thread.author_id == who.id, Thread.course_id == who.course_id, Thread.commentable_id == topic,
        Thread.title == clean_title, Thread.deleted_at.is_(None), Thread.created_at >= now - DOUBLE_SUBMIT_WINDOW)
        .order_by(Thread.id.desc()).limit(1))
    if (again is not None and again.body == body and again.thread_type == thread_type and again.group_id == group
            and (again.anonymous, again.anonymous_to_peers) == (bool(anonymous), bool(anonymous_to_peers))):
        return again
    check_post_rate(who)
    thread = Thread(course_id=who.course_id, commentable_id=topic, thread_type=str(thread_type), title=clean_title,
                    body=body, rendered_body=render_for_save(body), author_id=who.id, author_username=who.username,
                    anonymous=bool(anonymous),
                    anonymous_to_peers=bool(anonymous_to_peers), group_id=group, last_activity_at=now,
                    created_at=now, updated_at=now)
    session.add(thread)
    session.flush()
    if following:
        session.add(Follow(user_id=who.id, thread_id=thread.id, course_id=who.course_id, created_at=now))
    # as Open edX: the author has read what they wrote (their new thread is not "New" to them)
    session.add(ReadState(user_id=who.id, thread_id=thread.id, course_id=who.course_id, last_read_at=now,
                          read_comment_count=0))
    session.commit()
    data = thread_event(who, thread, group_id=group, thread_type=thread.thread_type, anonymous=thread.anonymous,
                         anonymous_to_peers=thread.anonymous_to_peers, options={"followed": bool(following)},
                         from_mfe_sidebar=bool(from_mfe_sidebar))
    put_truncated(data, "title", clean_title, EVENT_TITLE_MAX, "title_truncated")
    put_truncated(data, "body", body, EVENT_BODY_MAX, "truncated")
    emit("edx.forum.thread.created", data, course_id=who.course_id)
    return thread


THREAD_FIELDS = ("abuse_flagged", "anonymous", "anonymous_to_peers", "close_reason_code", "closed", "copy_link",
                 "edit_reason_code", "following", "group_id", "pinned", "raw_body", "read", "title", "topic_id",
                 "type", "voted")


def update_thread(who: ForumUser, thread: Thread, changes: dict[str, Any]) -> Thread:
    """Apply a PATCH of Open edX's thread fields (``changes``; each must be in
    :func:`thread_editable_fields`), committed, then emit its events. 400 with ``field_errors`` for a field
    that may not be changed or a bad value; 403 for a banned or muted user's edit."""
    check_visible(who, thread)
    errors: dict[str, str] = {}
    editable = thread_editable_fields(who, thread)
    for name in changes:
        if name == "course_id":
            errors[name] = NOT_IN_UPDATE
        elif name not in editable:
            errors[name] = NOT_EDITABLE
    if errors:
        raise invalid(errors)
    content = {"title", "raw_body", "topic_id", "type", "group_id", "anonymous", "anonymous_to_peers",
               "edit_reason_code"} & set(changes)
    if content:
        check_may_post(who)
    if {"voted", "abuse_flagged"} & set(changes):
        check_may_interact(who)
    values: dict[str, Any] = {}
    for name in ("title", "raw_body", "topic_id"):
        if name in changes:
            values[name] = _text_value(errors, name, changes[name], {"title": MAX_TITLE, "raw_body": MAX_BODY}
                                       .get(name, 255))
    if "topic_id" in values and values["topic_id"] is not None and not topics.topic_exists(thread.course_id,
                                                                                            values["topic_id"]):
        errors["topic_id"] = "Invalid topic id"
    if "type" in changes:
        if changes["type"] not in THREAD_TYPES:
            errors["type"] = f'"{changes["type"]}" is not a valid choice.'
        values["type"] = changes["type"]
    for name in ("anonymous", "anonymous_to_peers", "closed", "pinned", "following", "voted", "abuse_flagged",
                 "read"):
        if name in changes:
            values[name] = _bool_value(errors, name, changes[name])
    if "group_id" in changes:
        values["group_id"] = _valid_group(errors, thread.course_id, changes["group_id"])
    if "close_reason_code" in changes:
        if changes["close_reason_code"] not in reasons.close_reasons():
            errors["close_reason_code"] = "Invalid close reason code"
        values["close_reason_code"] = changes["close_reason_code"]
    _edit_reason_value(errors, values, changes)
    if errors:
        raise invalid(errors)

    events = PendingEvents(who.course_id)
    now = utcnow()
    is_author = thread.author_id == who.id
    edited = False
    if "raw_body" in values and values["raw_body"] != thread.body:
        db.session().add(EditRecord(content_type=THREAD, content_id=thread.id, editor_id=who.id,
                                    editor_username=who.username, original_body=thread.body,
                                    reason_code=values.get("edit_reason_code"), created_at=now))
        thread.body = values["raw_body"]
        thread.rendered_body = render_for_save(thread.body)
        edited = True
    if "title" in values and values["title"] != thread.title:
        thread.title = values["title"]
        edited = True
    if "topic_id" in values and values["topic_id"] != thread.commentable_id:
        thread.commentable_id = values["topic_id"]
        if ("group_id" not in values and thread.group_id is None
                and topics.is_divided(thread.course_id, thread.commentable_id)):
            # moved into a divided topic: the thread takes its author's cohort, as when posted there
            thread.group_id = _author_group(thread)
        edited = True
    if "type" in values and values["type"] != thread.thread_type:
        thread.thread_type = values["type"]
        edited = True
    if "group_id" in values and values["group_id"] != thread.group_id:
        thread.group_id = values["group_id"]
        edited = True
    for name in ("anonymous", "anonymous_to_peers"):
        if name in values and values[name] != getattr(thread, name):
            setattr(thread, name, values[name])
            edited = True
    if edited:
        thread.updated_at = now
        data = thread_event(who, thread, target_username=thread.author_username, content_type="Post",
                             own_content=is_author, edit_reason=values.get("edit_reason_code"))
        events.add("edx.forum.thread.edited", data)
        if not is_author:
            audit.record(thread.course_id, who, "thread.edited", target_type=THREAD, target_id=thread.id,
                         target_user_id=thread.author_id, reason=values.get("edit_reason_code") or "")
    if "close_reason_code" in values and "closed" not in values:
        thread.close_reason_code = values["close_reason_code"]
    if "closed" in values and values["closed"] != thread.closed:
        thread.closed = values["closed"]
        if thread.closed:
            thread.closed_by_id = who.id
            thread.close_reason_code = values.get("close_reason_code", thread.close_reason_code)
        events.add("edx.forum.thread.locked" if thread.closed else "edx.forum.thread.unlocked",
                   thread_event(who, thread, target_username=thread.author_username,
                                 lock_reason=thread.close_reason_code, team_id=None))
        audit.record(thread.course_id, who, "thread.closed" if thread.closed else "thread.reopened",
                     target_type=THREAD, target_id=thread.id, target_user_id=thread.author_id,
                     reason=thread.close_reason_code or "")
    if "pinned" in values and values["pinned"] != thread.pinned:
        thread.pinned = values["pinned"]
        events.add("edx.forum.thread.pinned" if thread.pinned else "edx.forum.thread.unpinned",
                   thread_event(who, thread, target_username=thread.author_username))
        audit.record(thread.course_id, who, "thread.pinned" if thread.pinned else "thread.unpinned",
                     target_type=THREAD, target_id=thread.id, target_user_id=thread.author_id)
    if "following" in values:
        set_follow(who, thread, values["following"], events)
    if "voted" in values:
        set_vote(who, THREAD, thread, thread, values["voted"], events)
    if "abuse_flagged" in values:
        set_flag(who, THREAD, thread, thread, values["abuse_flagged"], events)
    if values.get("read"):
        _mark_read(who, thread)
    db.session().commit()
    events.emit()
    return thread


def _author_group(thread: Thread) -> int | None:
    """The group of ``thread``'s author in its course (``None``: no author, or in no group)."""
    if thread.author_id is None:
        return None
    return groups.group_of(thread.author_id, thread.course_id)


def get_thread_detail(who: ForumUser, thread: Thread, *, mark_as_read: bool = True) -> Thread:
    """The thread for its detail view; reading it marks it read for ``who`` (committed)."""
    check_visible(who, thread)
    if mark_as_read:
        mark_read(who, thread)
    return thread


def mark_read(who: ForumUser, thread: Thread) -> None:
    """Record that ``who`` has read ``thread`` with all its posts (committed)."""
    _mark_read(who, thread)
    db.session().commit()


def _mark_read(who: ForumUser, thread: Thread, *, at: datetime | None = None,
               comment_count: int | None = None) -> None:
    """Record that ``who`` read ``thread`` (at ``at``, default now, with ``comment_count`` comments, default
    the thread's), in the current transaction."""
    session = db.session()
    values = {"last_read_at": at or utcnow(),
              "read_comment_count": thread.comment_count if comment_count is None else comment_count}
    updated = session.execute(sa.update(ReadState).where(ReadState.user_id == who.id,
                                                         ReadState.thread_id == thread.id).values(**values))
    if updated.rowcount:
        return
    try:
        with session.begin_nested():
            session.add(ReadState(user_id=who.id, thread_id=thread.id, course_id=thread.course_id, **values))
    except IntegrityError:  # read at the same moment in another request
        session.execute(sa.update(ReadState).where(ReadState.user_id == who.id,
                                                   ReadState.thread_id == thread.id).values(**values))


def _read_own_post(who: ForumUser, thread: Thread, now: datetime) -> None:
    """The author's own new response or comment (posted at ``now``, before the thread's counters move) does
    not make ``thread`` unread for them: their own post counts as read, and a thread they had read up to its
    last activity stays read; others' posts they have not read stay unread. Never read: read now."""
    session = db.session()
    updated = session.execute(sa.update(ReadState).where(
        ReadState.user_id == who.id, ReadState.thread_id == thread.id).values(
        read_comment_count=ReadState.read_comment_count + 1,
        last_read_at=sa.case((ReadState.last_read_at >= thread.last_activity_at, now),
                             else_=ReadState.last_read_at)))
    if not updated.rowcount:
        _mark_read(who, thread, at=now, comment_count=thread.comment_count + 1)


def delete_thread(who: ForumUser, thread: Thread, reason: str = "") -> None:
    """Soft-delete a thread (its author, a moderator, or a group moderator of its group), committed; an
    audit entry when someone else's post is deleted."""
    check_visible(who, thread)
    if not can_delete(who, thread, thread):
        raise forbidden()
    now = utcnow()
    thread.deleted_at = now
    thread.deleted_by_id = who.id
    thread.delete_reason = str(reason or "")[:500]
    own = thread.author_id == who.id
    if not own:
        audit.record(thread.course_id, who, "thread.deleted", target_type=THREAD, target_id=thread.id,
                     target_user_id=thread.author_id, reason=reason)
    db.session().commit()
    data = thread_event(who, thread, content_type="Post", own_content=own, target_username=thread.author_username)
    put_truncated(data, "body", thread.body, EVENT_BODY_MAX, "truncated")
    put_truncated(data, "title", thread.title, EVENT_TITLE_MAX, "title_truncated")
    emit("edx.forum.thread.deleted", data, course_id=thread.course_id)


def create_comment(who: ForumUser, thread: Thread, raw_body: Any, *, parent_id: Any = None,
                   anonymous: bool = False, anonymous_to_peers: bool = False,
                   from_mfe_sidebar: bool = False, action_errors: dict[str, str] | None = None) -> Comment:
    """Post a response to ``thread`` or (``parent_id``) a comment on one of its responses, committed.
    ``action_errors`` (:func:`comment_action_errors`) are answered with the comment's own field errors,
    before anything is written."""
    check_visible(who, thread)
    check_may_post(who)
    check_not_blackout(who)
    if thread.closed and not is_privileged_on(who, thread):
        raise forbidden()
    errors: dict[str, str] = {}
    body = _text_value(errors, "raw_body", raw_body, MAX_BODY)
    errors.update(action_errors or {})
    policy = course_policy(thread.course_id)
    if anonymous and not policy.allow_anonymous:
        errors["anonymous"] = NOT_INITIALIZABLE
    if anonymous_to_peers and not policy.allow_anonymous_to_peers:
        errors["anonymous_to_peers"] = NOT_INITIALIZABLE
    if errors:
        raise invalid(errors)
    parent = None
    if parent_id is not None:
        parent = get_comment(parent_id)
        if parent is None or parent.thread_id != thread.id:
            raise ForumError(400, BAD_PARENT)
        if parent.parent_id is not None:
            raise ForumError(400, TOO_DEEP)
    assert body is not None
    now = utcnow()
    session = db.session()
    again = session.scalar(sa.select(Comment).where(
        Comment.author_id == who.id, Comment.thread_id == thread.id,
        Comment.parent_id.is_(None) if parent is None else Comment.parent_id == parent.id,
        Comment.deleted_at.is_(None), Comment.created_at >= now - DOUBLE_SUBMIT_WINDOW)
        .order_by(Comment.id.desc()).limit(1))
    if again is not None and again.body == body and (again.anonymous, again.anonymous_to_peers) == (
            bool(anonymous), bool(anonymous_to_peers)):
        return again
    check_post_rate(who)
    comment = Comment(thread_id=thread.id, parent_id=parent.id if parent else None, course_id=thread.course_id,
                      body=body, rendered_body=render_for_save(body), author_id=who.id,
                      author_username=who.username, anonymous=bool(anonymous),
                      anonymous_to_peers=bool(anonymous_to_peers), created_at=now, updated_at=now)
    session.add(comment)
    session.flush()
    bump: dict[str, Any] = {"comment_count": Thread.comment_count + 1, "last_activity_at": now}
    if parent is None:
        bump["response_count"] = Thread.response_count + 1
    else:
        session.execute(sa.update(Comment).where(Comment.id == parent.id).values(child_count=Comment.child_count + 1))
    _read_own_post(who, thread, now)
    session.execute(sa.update(Thread).where(Thread.id == thread.id).values(**bump))
    followed = session.scalar(sa.select(Follow.id).where(Follow.user_id == who.id,
                                                         Follow.thread_id == thread.id)) is not None
    session.commit()
    session.refresh(thread)
    if parent is not None:
        session.refresh(parent)
    data = comment_event(who, comment, thread, options={"followed": followed},
                          from_mfe_sidebar=bool(from_mfe_sidebar))
    put_truncated(data, "body", body, EVENT_BODY_MAX, "truncated")
    emit(f"edx.forum.{kind_of(comment)}.created", data, course_id=thread.course_id)
    return comment


COMMENT_FIELDS = ("abuse_flagged", "anonymous", "anonymous_to_peers", "edit_reason_code", "endorsed", "raw_body",
                  "voted")


def update_comment(who: ForumUser, comment: Comment, changes: dict[str, Any]) -> Comment:
    """Apply a PATCH of Open edX's comment fields (each in :func:`comment_editable_fields`), committed."""
    thread = db.session().get(Thread, comment.thread_id)
    if thread is None:
        raise not_found(COMMENT_NOT_FOUND)
    check_visible(who, thread)
    errors: dict[str, str] = {}
    editable = comment_editable_fields(who, comment, thread)
    for name in changes:
        if name in ("thread_id", "parent_id"):
            errors[name] = NOT_IN_UPDATE
        elif name not in editable:
            errors[name] = NOT_EDITABLE
    if errors:
        raise invalid(errors)
    if {"raw_body", "anonymous", "anonymous_to_peers", "edit_reason_code"} & set(changes):
        check_may_post(who)
    if {"voted", "abuse_flagged"} & set(changes):
        check_may_interact(who)
    values: dict[str, Any] = {}
    if "raw_body" in changes:
        values["raw_body"] = _text_value(errors, "raw_body", changes["raw_body"], MAX_BODY)
    for name in ("anonymous", "anonymous_to_peers", "endorsed", "voted", "abuse_flagged"):
        if name in changes:
            values[name] = _bool_value(errors, name, changes[name])
    _edit_reason_value(errors, values, changes)
    if errors:
        raise invalid(errors)
    events = PendingEvents(who.course_id)
    now = utcnow()
    session = db.session()
    is_author = comment.author_id == who.id
    edited = False
    if "raw_body" in values and values["raw_body"] != comment.body:
        session.add(EditRecord(content_type=COMMENT, content_id=comment.id, editor_id=who.id,
                               editor_username=who.username, original_body=comment.body,
                               reason_code=values.get("edit_reason_code"), created_at=now))
        comment.body = values["raw_body"]
        comment.rendered_body = render_for_save(comment.body)
        edited = True
    for name in ("anonymous", "anonymous_to_peers"):
        if name in values and values[name] != getattr(comment, name):
            setattr(comment, name, values[name])
            edited = True
    if edited:
        comment.updated_at = now
        kind = kind_of(comment)
        events.add(f"edx.forum.{kind}.edited", comment_event(
            who, comment, thread, target_username=comment.author_username, own_content=is_author,
            content_type=kind.capitalize(), edit_reason=values.get("edit_reason_code")))
        if not is_author:
            audit.record(thread.course_id, who, f"{kind}.edited", target_type=COMMENT, target_id=comment.id,
                         target_user_id=comment.author_id, reason=values.get("edit_reason_code") or "")
    if "endorsed" in values and values["endorsed"] != comment.endorsed:
        _set_endorsed(who, comment, thread, values["endorsed"], events)
    if "voted" in values:
        set_vote(who, COMMENT, comment, thread, values["voted"], events)
    if "abuse_flagged" in values:
        set_flag(who, COMMENT, comment, thread, values["abuse_flagged"], events)
    session.commit()
    events.emit()
    return comment


def _set_endorsed(who: ForumUser, comment: Comment, thread: Thread, value: bool, events: PendingEvents) -> None:
    session = db.session()
    comment.endorsed = value
    comment.endorsed_by_id = who.id if value else None
    comment.endorsed_at = utcnow() if value else None
    session.flush()
    thread.endorsed = value or session.scalar(sa.select(sa.func.count()).select_from(Comment).where(
        Comment.thread_id == thread.id, Comment.parent_id.is_(None), Comment.endorsed.is_(True),
        Comment.deleted_at.is_(None))) > 0
    events.add("edx.forum.response.mark" if value else "edx.forum.response.unmark", comment_event(
        who, comment, thread, is_endorsed=value, is_thread_author=thread.author_id == who.id,
        is_global_staff=who.is_global_staff, mark_type="Answer" if thread.thread_type == QUESTION else "Endorse",
        target_username=comment.author_username))
    if thread.author_id != who.id:
        audit.record(thread.course_id, who, "comment.endorsed" if value else "comment.unendorsed",
                     target_type=COMMENT, target_id=comment.id, target_user_id=comment.author_id)


def delete_comment(who: ForumUser, comment: Comment, reason: str = "") -> None:
    """Soft-delete a response (with its comments) or a comment, counters kept, committed; an audit entry when
    someone else's post is deleted."""
    session = db.session()
    thread = session.get(Thread, comment.thread_id)
    if thread is None:
        raise not_found(COMMENT_NOT_FOUND)
    check_visible(who, thread)
    if not can_delete(who, comment, thread):
        raise forbidden()
    now = utcnow()
    comment.deleted_at = now
    comment.deleted_by_id = who.id
    comment.delete_reason = str(reason or "")[:500]
    if comment.parent_id is None:
        children = session.execute(sa.update(Comment).where(
            Comment.thread_id == comment.thread_id, Comment.parent_id == comment.id, Comment.deleted_at.is_(None))
            .values(deleted_at=now, deleted_by_id=who.id)).rowcount or 0
        session.execute(sa.update(Thread).where(Thread.id == thread.id).values(
            comment_count=sa.case((Thread.comment_count - 1 - children > 0, Thread.comment_count - 1 - children),
                                  else_=0),
            response_count=sa.case((Thread.response_count > 0, Thread.response_count - 1), else_=0)))
        if comment.endorsed:
            session.flush()
            thread.endorsed = session.scalar(sa.select(sa.func.count()).select_from(Comment).where(
                Comment.thread_id == thread.id, Comment.parent_id.is_(None), Comment.endorsed.is_(True),
                Comment.deleted_at.is_(None))) > 0
    else:
        session.execute(sa.update(Thread).where(Thread.id == thread.id).values(
            comment_count=sa.case((Thread.comment_count > 0, Thread.comment_count - 1), else_=0)))
        session.execute(sa.update(Comment).where(Comment.id == comment.parent_id).values(
            child_count=sa.case((Comment.child_count > 0, Comment.child_count - 1), else_=0)))
    own = comment.author_id == who.id
    kind = kind_of(comment)
    if not own:
        audit.record(thread.course_id, who, f"{kind}.deleted", target_type=COMMENT, target_id=comment.id,
                     target_user_id=comment.author_id, reason=reason)
    session.commit()
    session.refresh(thread)
    data = comment_event(who, comment, thread, content_type=kind.capitalize(), own_content=own,
                          target_username=comment.author_username)
    put_truncated(data, "body", comment.body, EVENT_BODY_MAX, "truncated")
    emit(f"edx.forum.{kind}.deleted", data, course_id=thread.course_id)


@dataclass(frozen=True)
class PostIds:
    """A user's live posts in a course."""

    thread_ids: list[int]
    comment_ids: list[int]


def user_post_ids(course_id: str, user_id: int) -> PostIds:
    """Ids of the user's live threads and comments (responses included) in the course."""
    session = db.session()
    threads = session.scalars(sa.select(Thread.id).where(Thread.course_id == str(course_id),
                                                         Thread.author_id == int(user_id),
                                                         Thread.deleted_at.is_(None)).order_by(Thread.id))
    comments = session.scalars(sa.select(Comment.id).where(Comment.course_id == str(course_id),
                                                           Comment.author_id == int(user_id),
                                                           Comment.deleted_at.is_(None)).order_by(Comment.id))
    return PostIds(list(threads), list(comments))


RETIRED_TEXT = "[deleted]"


def retire_user(user_id: int, retired_username: str) -> int:
    """Open edX's forum retirement: the user's posts everywhere keep their place but lose their text
    (``[deleted]``) and name (``retired_username``, also in the moderation log), and their follows go;
    committed. Returns how many posts
    changed."""
    session = db.session()
    user_id = int(user_id)
    changed = session.execute(sa.update(Thread).where(Thread.author_id == user_id).values(
        author_username=retired_username, title=RETIRED_TEXT, body=RETIRED_TEXT, rendered_body=None)).rowcount or 0
    changed += session.execute(sa.update(Comment).where(Comment.author_id == user_id).values(
        author_username=retired_username, body=RETIRED_TEXT, rendered_body=None)).rowcount or 0
    session.execute(sa.update(EditRecord).where(EditRecord.editor_id == user_id).values(
        editor_username=retired_username))
    threads = sa.select(Thread.id).where(Thread.author_id == user_id)
    comments = sa.select(Comment.id).where(Comment.author_id == user_id)
    session.execute(sa.update(EditRecord).where(sa.or_(
        sa.and_(EditRecord.content_type == THREAD, EditRecord.content_id.in_(threads)),
        sa.and_(EditRecord.content_type == COMMENT, EditRecord.content_id.in_(comments)))).values(
        original_body=RETIRED_TEXT))
    session.execute(sa.delete(Follow).where(Follow.user_id == user_id))
    audit.rename_moderator(user_id, retired_username)
    session.commit()
    return int(changed)


def replace_username(user_id: int, new_username: str) -> int:
    """Rewrite the user's name on their posts, edit records and moderation log entries (committed); returns
    how many posts changed."""
    session = db.session()
    user_id = int(user_id)
    changed = session.execute(sa.update(Thread).where(Thread.author_id == user_id).values(
        author_username=new_username)).rowcount or 0
    changed += session.execute(sa.update(Comment).where(Comment.author_id == user_id).values(
        author_username=new_username)).rowcount or 0
    session.execute(sa.update(EditRecord).where(EditRecord.editor_id == user_id).values(
        editor_username=new_username))
    audit.rename_moderator(user_id, new_username)
    session.commit()
    return int(changed)


def thread_of(comment: Comment) -> Thread | None:
    """The live thread a comment belongs to."""
    return get_thread(comment.thread_id)
