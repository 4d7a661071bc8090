"""In-app notifications: who is told of a post, the rows, the bell's count, the list and reading them.

:func:`notify_post` and friends are called by :mod:`kampus_forums.notifications.listeners` after a post's
write committed. They decide the recipients, never the actor, only users who may still read the thread
(enrolled or on the course team, and in the thread's cohort unless privileged), at most one notification
per user and event, and insert the rows in one transaction (flushed in chunks for a thread with many
followers). Each row's ``data`` keeps what the list shows without a join; the author of an anonymous post
is left out of it for recipients who may not see them in the REST API (``author_visible``: ``anonymous``
posts show their author to moderators only, ``anonymous_to_peers`` posts to privileged users only).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from kampus.course_keys import org_of
from kampus.db import utcnow
from kampus.identity.models import CourseAccessRole, User
from kampus.identity.roles import GROUP_MODERATOR
from kampus_forums.access import MODERATOR_ROLES, ForumUser, forum_user
from kampus_forums.interactions.models import Follow
from kampus_forums.notifications import course_preferences
from kampus_forums.notifications.models import (
    COMMENT_ON_MY_RESPONSE,
    CONTENT_REPORTED,
    ENDORSEMENT,
    FOLLOWED_THREAD_POST,
    OFF,
    RESPONSE_ON_MY_THREAD,
    Notification,
)
from kampus_forums.threads.models import QUESTION, Comment, Thread
from kampus_forums.threads.rules import author_visible

#: Rows flushed at a time when a thread has many followers.
INSERT_CHUNK = 500
PREVIEW_CHARS = 200
#: Open edX's notification app of these notifications.
APP_NAME = "discussion"


def thread_path(course_id: str, commentable_id: str, thread_id: int) -> str:
    """The site path of a thread's page (Open edX's discussion URL)."""
    return f"/courses/{course_id}/discussion/forum/{commentable_id}/threads/{thread_id}"


def preview(body: str) -> str:
    """The first words of a post's text, on one line."""
    text = re.sub(r"\s+", " ", body or "").strip()
    return text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS - 1].rstrip() + "…"


@dataclass(frozen=True)
class Created:
    """A notification just inserted, with the e-mail cadence of its kind in its course for its user."""

    id: int
    user_id: int
    kind: str
    course_id: str
    cadence: str


# -- recipients ----------------------------------------------------------------------------------------------


def readers(session: Session, course_id: str, group_id: int | None, user_ids: Iterable[int | None]
            ) -> dict[int, ForumUser]:
    """Those of ``user_ids`` (active accounts) who may read a thread of ``group_id`` in the course."""
    ids = sorted({int(uid) for uid in user_ids if uid is not None})
    found: dict[int, ForumUser] = {}
    for start in range(0, len(ids), INSERT_CHUNK):
        for user in session.scalars(sa.select(User).where(User.id.in_(ids[start:start + INSERT_CHUNK]),
                                                          User.is_active.is_(True))):
            who = forum_user(user, course_id)
            if who is not None and who.can_read and who.sees_group(group_id):
                found[user.id] = who
    return found


def follower_ids(session: Session, thread_id: int) -> list[int]:
    return list(session.scalars(sa.select(Follow.user_id).where(Follow.thread_id == thread_id)
                                .order_by(Follow.user_id)))


def moderator_ids(session: Session, course_id: str) -> set[int]:
    """Holders of a moderating role in the course (course or organisation wide), group moderators included."""
    org = org_of(course_id)
    return set(session.scalars(sa.select(CourseAccessRole.user_id).where(
        CourseAccessRole.role.in_(sorted(MODERATOR_ROLES | {GROUP_MODERATOR})),
        sa.or_(CourseAccessRole.course_id == str(course_id),
               sa.and_(CourseAccessRole.course_id == "", CourseAccessRole.org == org, CourseAccessRole.org != "")))))


# -- data ----------------------------------------------------------------------------------------------------


def _data(thread: Thread, post: Thread | Comment, who: ForumUser, *, author: str, content_type: str,
          anonymous_post: Thread | Comment | None) -> dict[str, Any]:
    """The row's data for recipient ``who``; ``author`` is left out when ``anonymous_post`` (the post whose
    anonymity covers them) hides its author from ``who``, by the rule of the REST API (``author_visible``)."""
    hidden = anonymous_post is not None and not author_visible(who, anonymous_post)
    return {
        "thread_title": thread.title[:300],
        "commentable_id": thread.commentable_id,
        "thread_url": thread_path(thread.course_id, thread.commentable_id, thread.id),
        "is_question": thread.thread_type == QUESTION,
        "content_type": content_type,
        "preview": preview(post.body),
        "author": "" if hidden else author,
        "anonymous": hidden,
    }


def _insert(session: Session, course_id: str, thread: Thread, comment: Comment | None, actor_id: int | None,
            planned: list[tuple[int, str, dict[str, Any]]]) -> list[Created]:
    """Insert the planned ``(user id, kind, data)`` rows in ``session`` (the caller commits), as each user's
    preferences in the course say (:func:`course_preferences.delivery`): hidden from the list when their web
    notifications of the kind are off, not made when their e-mail is off too."""
    created: list[Created] = []
    now = utcnow()
    channels: dict[tuple[int, str], tuple[bool, str]] = {}
    for kind in {kind for _user, kind, _data in planned}:
        for user_id, answer in course_preferences.delivery(
                session, course_id, kind, [user for user, of_kind, _data in planned if of_kind == kind]).items():
            channels[user_id, kind] = answer
    planned = [entry for entry in planned if channels[entry[0], entry[1]] != (False, OFF)]
    for start in range(0, len(planned), INSERT_CHUNK):
        rows = [Notification(user_id=user_id, course_id=str(course_id), kind=kind, thread_id=thread.id,
                             comment_id=comment.id if comment is not None else None, actor_id=actor_id, data=data,
                             created_at=now, web=channels[user_id, kind][0])
                for user_id, kind, data in planned[start:start + INSERT_CHUNK]]
        session.add_all(rows)
        session.flush()
        created.extend(Created(row.id, row.user_id, row.kind, row.course_id, channels[row.user_id, row.kind][1])
                       for row in rows)
    return created


def _unread_exists(session: Session, user_ids: Iterable[int], kind: str, thread_id: int,
                   comment_id: int | None) -> set[int]:
    ids = sorted(set(user_ids))
    if not ids:
        return set()
    return set(session.scalars(sa.select(Notification.user_id).where(
        Notification.user_id.in_(ids), Notification.kind == kind, Notification.thread_id == thread_id,
        Notification.comment_id.is_(None) if comment_id is None else Notification.comment_id == comment_id,
        Notification.read_at.is_(None))))


def notify_post(session: Session, comment_id: int, actor_id: int | None) -> list[Created]:
    """A new response or comment: the thread's author (a response) or the response's author (a comment),
    then the thread's followers. Returns the rows inserted in ``session`` (the caller commits)."""
    comment = session.get(Comment, comment_id)
    if comment is None or comment.deleted_at is not None:
        return []
    thread = session.get(Thread, comment.thread_id)
    if thread is None or thread.deleted_at is not None:
        return []
    actor_id = actor_id if actor_id is not None else comment.author_id
    direct: list[tuple[int | None, str]]
    if comment.parent_id is None:
        direct = [(thread.author_id, RESPONSE_ON_MY_THREAD)]
        content_type = "response"
    else:
        parent = session.get(Comment, comment.parent_id)
        direct = [(parent.author_id if parent is not None and parent.deleted_at is None else None,
                   COMMENT_ON_MY_RESPONSE)]
        content_type = "comment"
    followers = follower_ids(session, thread.id)
    allowed = readers(session, thread.course_id, thread.group_id, [uid for uid, _kind in direct] + followers)
    planned: list[tuple[int, str, dict[str, Any]]] = []
    told: set[int] = set()
    for user_id, kind in [*direct, *((uid, FOLLOWED_THREAD_POST) for uid in followers)]:
        if user_id is None or user_id == actor_id or user_id in told or user_id not in allowed:
            continue
        told.add(user_id)
        planned.append((user_id, kind, _data(thread, comment, allowed[user_id], author=comment.author_username,
                                             content_type=content_type, anonymous_post=comment)))
    return _insert(session, thread.course_id, thread, comment, actor_id, planned)


def notify_endorsement(session: Session, comment_id: int, actor_id: int | None) -> list[Created]:
    """A response endorsed (or marked as the answer): its author, once while unread."""
    comment = session.get(Comment, comment_id)
    if comment is None or comment.deleted_at is not None or not comment.endorsed or comment.author_id is None:
        return []
    thread = session.get(Thread, comment.thread_id)
    if thread is None or thread.deleted_at is not None or comment.author_id == actor_id:
        return []
    allowed = readers(session, thread.course_id, thread.group_id, [comment.author_id])
    if comment.author_id not in allowed or _unread_exists(session, [comment.author_id], ENDORSEMENT, thread.id,
                                                           comment.id):
        return []
    endorser = session.get(User, actor_id) if actor_id is not None else None
    # the thread's anonymous author marking the answer stays anonymous
    data = _data(thread, comment, allowed[comment.author_id], author=endorser.username if endorser else "",
                 content_type="response", anonymous_post=thread if actor_id == thread.author_id else None)
    return _insert(session, thread.course_id, thread, comment, actor_id, [(comment.author_id, ENDORSEMENT, data)])


def notify_report(session: Session, content_type: str, content_id: int, actor_id: int | None) -> list[Created]:
    """A post reported: the moderators who moderate it (group moderators: their cohort's threads), except the
    reporter, once while their notification of that post is unread."""
    comment: Comment | None = None
    if content_type == "thread":
        thread = session.get(Thread, content_id)
        post: Thread | Comment | None = thread
    else:
        comment = session.get(Comment, content_id)
        post = comment
        thread = session.get(Thread, comment.thread_id) if comment is not None else None
    if thread is None or post is None or post.deleted_at is not None or thread.deleted_at is not None:
        return []
    candidates = moderator_ids(session, thread.course_id) - {actor_id}
    allowed = {uid: who for uid, who in readers(session, thread.course_id, thread.group_id, candidates).items()
               if who.moderates_group(thread.group_id)}
    already = _unread_exists(session, allowed, CONTENT_REPORTED, thread.id,
                             comment.id if comment is not None else None)
    shown_type = "thread" if comment is None else "response" if comment.parent_id is None else "comment"
    planned = [(uid, CONTENT_REPORTED, _data(thread, post, who, author=post.author_username,
                                             content_type=shown_type, anonymous_post=post))
               for uid, who in sorted(allowed.items()) if uid not in already]
    return _insert(session, thread.course_id, thread, comment, actor_id, planned)


# -- withdrawing ---------------------------------------------------------------------------------------------


def withdraw_post(session: Session, content_type: str, content_id: int) -> int:
    """A post was deleted: remove the notifications about it (a thread: all of its posts'; a response: its
    comments' too), read or not, so that neither the bell nor a digest points at it. How many."""
    if content_type == "thread":
        where = Notification.thread_id == content_id
    else:
        ids = [content_id, *session.scalars(sa.select(Comment.id).where(Comment.parent_id == content_id))]
        where = Notification.comment_id.in_(ids)
    return session.execute(sa.delete(Notification).where(where)
                           .execution_options(synchronize_session=False)).rowcount or 0


def withdraw_unread(session: Session, kind: str, content_type: str, content_id: int) -> int:
    """What a notification said was undone (an endorsement withdrawn, every report of a post cleared): remove
    the unread notifications of ``kind`` about the post. How many."""
    if content_type == "thread":
        where = sa.and_(Notification.thread_id == content_id, Notification.comment_id.is_(None))
    else:
        where = Notification.comment_id == content_id
    return session.execute(sa.delete(Notification).where(where, Notification.kind == kind,
                                                          Notification.read_at.is_(None))
                           .execution_options(synchronize_session=False)).rowcount or 0


def retire_author(session: Session, user_id: int, username: str, retired_username: str,
                  deleted_text: str = "[deleted]") -> int:
    """Open edX's retirement of an account, for the notifications' ``data`` (in ``session``): the name
    ``username`` becomes ``retired_username`` where it is named as author (of a post, an endorsement, a
    reported post), and the text of the user's posts (preview, thread title) becomes ``deleted_text``, as
    the posts themselves. How many rows changed."""
    threads = set(session.scalars(sa.select(Thread.id).where(Thread.author_id == user_id)))
    comments = set(session.scalars(sa.select(Comment.id).where(Comment.author_id == user_id)))
    conditions = [Notification.actor_id == user_id]
    if threads:
        conditions.append(Notification.thread_id.in_(sorted(threads)))
    if comments:
        conditions.append(Notification.comment_id.in_(sorted(comments)))
    changed = 0
    for row in session.scalars(sa.select(Notification).where(sa.or_(*conditions))):
        data = dict(row.data or {})
        if data.get("author") == username:
            data["author"] = retired_username
        if row.thread_id in threads:
            data["thread_title"] = deleted_text
        if row.comment_id in comments or (row.comment_id is None and row.thread_id in threads):
            data["preview"] = deleted_text
        if data != row.data:
            row.data = data
            changed += 1
    return changed


def rename_author(session: Session, user_id: int, username: str, new_username: str) -> int:
    """The user now called ``new_username`` (was ``username``): the notifications' ``data`` naming them as
    author (of a post, an endorsement, a reported post) show the new name (in ``session``). How many rows
    changed."""
    threads = set(session.scalars(sa.select(Thread.id).where(Thread.author_id == user_id)))
    comments = set(session.scalars(sa.select(Comment.id).where(Comment.author_id == user_id)))
    conditions = [Notification.actor_id == user_id]
    if threads:
        conditions.append(Notification.thread_id.in_(sorted(threads)))
    if comments:
        conditions.append(Notification.comment_id.in_(sorted(comments)))
    changed = 0
    for row in session.scalars(sa.select(Notification).where(sa.or_(*conditions))):
        data = dict(row.data or {})
        if data.get("author") == username:
            data["author"] = new_username
            row.data = data
            changed += 1
    return changed


# -- reading ---------------------------------------------------------------------------------------------------


def unread_count(session: Session, user_id: int) -> int:
    """How many of the user's notifications are unread (the bell)."""
    return count_notifications(session, user_id, unread_only=True)


def unseen_count(session: Session, user_id: int) -> int:
    """How many of the user's notifications they have not seen yet (Open edX's count: the tray's badge)."""
    return count_notifications(session, user_id, unseen_only=True)


def mark_all_seen(session: Session, user_id: int, when: datetime | None = None, *,
                  created_by: datetime | None = None) -> int:
    """Mark every unseen notification of the user seen (the tray was opened), or only those created by
    ``created_by`` (the ones a list read then could show); how many."""
    where = [Notification.user_id == int(user_id), Notification.seen_at.is_(None)]
    if created_by is not None:
        where.append(Notification.created_at <= created_by)
    return session.execute(sa.update(Notification).where(*where).values(seen_at=when or utcnow())
                           .execution_options(synchronize_session=False)).rowcount or 0


def _count_statement(unread_only: bool, unseen_only: bool) -> sa.Select[Any]:
    where = [Notification.user_id == sa.bindparam("user_id"), Notification.web.is_(True)]
    if unread_only:
        where.append(Notification.read_at.is_(None))
    if unseen_only:
        where.append(Notification.seen_at.is_(None))
    return sa.select(sa.func.count()).select_from(Notification).where(*where)


#: :func:`count_notifications`' statements by ``(unread_only, unseen_only)``, built once (the bell counts on
#: every page)
_COUNTS = {(unread, unseen): _count_statement(unread, unseen) for unread in (False, True) for unseen in (False, True)}


def count_notifications(session: Session, user_id: int, *, unread_only: bool = False,
                        unseen_only: bool = False) -> int:
    """How many notifications the user has (unread ones only with ``unread_only``, not yet seen ones only
    with ``unseen_only``); those made for e-mail only are not counted."""
    statement = _COUNTS[(bool(unread_only), bool(unseen_only))]
    return int(session.scalar(statement, {"user_id": int(user_id)}) or 0)


def list_notifications(session: Session, user_id: int, *, unread_only: bool = False, offset: int = 0,
                       limit: int = 20) -> tuple[list[Notification], int]:
    """A page of the user's notifications, newest first, and how many there are (not those made for e-mail
    only)."""
    where = [Notification.user_id == int(user_id), Notification.web.is_(True)]
    if unread_only:
        where.append(Notification.read_at.is_(None))
    total = count_notifications(session, user_id, unread_only=unread_only)
    rows = list(session.scalars(sa.select(Notification).where(*where)
                                .order_by(Notification.created_at.desc(), Notification.id.desc())
                                .offset(offset).limit(limit)))
    return rows, total


def mark_read(session: Session, user_id: int, notification_id: int, when: datetime | None = None) -> bool:
    """Mark one of the user's notifications read (kept when already read); whether it is theirs."""
    row = session.get(Notification, notification_id)
    if row is None or row.user_id != int(user_id):
        return False
    if row.read_at is None:
        row.read_at = when or utcnow()
    if row.seen_at is None:
        row.seen_at = row.read_at
    return True


def mark_all_read(session: Session, user_id: int, when: datetime | None = None) -> int:
    """Mark every unread notification of the user read (and seen); how many."""
    when = when or utcnow()
    read = session.execute(sa.update(Notification).where(
        Notification.user_id == int(user_id), Notification.read_at.is_(None))
        .values(read_at=when).execution_options(synchronize_session=False)).rowcount or 0
    mark_all_seen(session, user_id, when)
    return read


# -- wording ---------------------------------------------------------------------------------------------------


def author_label(data: dict[str, Any]) -> str:
    """Who wrote the post, as the recipient may see it."""
    if data.get("anonymous"):
        return _("Anonymous")
    return str(data.get("author") or _("Someone"))


def describe(kind: str, data: dict[str, Any]) -> str:
    """One sentence, plain text, saying what happened."""
    author, title = author_label(data), data.get("thread_title", "")
    content_type = data.get("content_type")
    if kind == RESPONSE_ON_MY_THREAD:
        return _("%(author)s responded to your post \"%(title)s\"", author=author, title=title)
    if kind == COMMENT_ON_MY_RESPONSE:
        return _("%(author)s commented on your response in \"%(title)s\"", author=author, title=title)
    if kind == ENDORSEMENT:
        if data.get("is_question"):
            return _("%(author)s marked your response as the answer to \"%(title)s\"", author=author, title=title)
        return _("%(author)s endorsed your response in \"%(title)s\"", author=author, title=title)
    if kind == FOLLOWED_THREAD_POST:
        if content_type == "comment":
            return _("%(author)s commented in \"%(title)s\", a thread you follow", author=author, title=title)
        return _("%(author)s responded in \"%(title)s\", a thread you follow", author=author, title=title)
    if kind == CONTENT_REPORTED:
        if content_type == "thread":
            return _("The post \"%(title)s\" was reported", title=title)
        if content_type == "comment":
            return _("A comment in \"%(title)s\" was reported", title=title)
        return _("A response in \"%(title)s\" was reported", title=title)
    return title


def openedx_type(kind: str, data: dict[str, Any]) -> str:
    """Open edX's ``notification_type`` of a notification."""
    if kind == FOLLOWED_THREAD_POST:
        return "comment_on_followed_post" if data.get("content_type") == "comment" else "response_on_followed_post"
    return {RESPONSE_ON_MY_THREAD: "new_response", COMMENT_ON_MY_RESPONSE: "new_comment_on_response",
            ENDORSEMENT: "response_endorsed", CONTENT_REPORTED: "content_reported"}.get(kind, kind)


def content_html(kind: str, data: dict[str, Any]) -> str:
    """Open edX's ``content``: the sentence as a paragraph of escaped HTML."""
    return f"<p>{html.escape(describe(kind, data))}</p>"
