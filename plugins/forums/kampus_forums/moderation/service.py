"""Moderators' actions on users of a course's forums: bans and mutes (with an optional end), lifting them,
deleting every post of a user; and what moderators read: the restrictions in force, the audit log and the
queue of flagged posts. Every action writes an :class:`~kampus_forums.moderation.models.AuditEntry`.

A ban stops a user from posting, voting and flagging, a mute from posting only (see
:func:`kampus_forums.access.active_restriction`). A restriction is in force until ``expires_at`` (``None``:
until lifted); a user has at most one of each kind in force in a course.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from kampus import db
from kampus.course_keys import org_of
from kampus.db import utcnow
from kampus.identity.models import User
from kampus_forums.access import ForumUser, restriction_covers, restriction_in_force
from kampus_forums.interactions.models import AbuseFlag
from kampus_forums.moderation import audit
from kampus_forums.moderation.models import (
    BAN,
    COURSE_SCOPE,
    ORG_SCOPE,
    SCOPES,
    AuditEntry,
    Restriction,
    RestrictionException,
)
from kampus_forums.threads import service as threads
from kampus_forums.threads.models import COMMENT, THREAD, Comment, Thread


class ModerationError(Exception):
    """A moderation action that cannot be done: ``status`` and ``message`` for the answer."""

    def __init__(self, status: int, message: str, **extra: Any):
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra


def _same(course_id: str, scope: str) -> Any:
    """SQL condition: restrictions of ``scope`` made from the course (its own, or its organization's)."""
    if scope == ORG_SCOPE:
        return sa.and_(Restriction.scope == ORG_SCOPE, Restriction.org == org_of(course_id))
    return sa.and_(Restriction.scope == COURSE_SCOPE, Restriction.course_id == str(course_id))


def restriction_in_force_of(course_id: str, user_id: int, kind: str, *, scope: str = COURSE_SCOPE,
                            now: datetime | None = None) -> Restriction | None:
    """The user's ``kind`` restriction of ``scope`` (the course's, or its organization's) in force, or ``None``."""
    return db.session().scalar(sa.select(Restriction).where(
        _same(course_id, scope), Restriction.user_id == int(user_id), Restriction.kind == kind,
        restriction_in_force(now or utcnow())).order_by(Restriction.id.desc()).limit(1))


def restrict(who: ForumUser, user: User, kind: str, *, scope: str = COURSE_SCOPE, reason: str = "",
             expires_at: datetime | None = None) -> tuple[Restriction, bool]:
    """Ban or mute ``user`` in ``who``'s course (a ban with ``scope`` ``organization``: in every course of
    its organization) until ``expires_at`` (``None``: until lifted), with an audit entry; commits. As Open
    edX does, a lifted or expired restriction of the same kind and scope is reactivated rather than
    duplicated (an organization ban loses its course exceptions then). Returns the restriction and whether
    it was reactivated. Raises :class:`ModerationError` (400) when one is already in force. Who may do it
    is the caller's check."""
    if scope not in SCOPES or (kind != BAN and scope != COURSE_SCOPE):
        raise ModerationError(400, f'"{scope}" is not a valid choice.')
    now = utcnow()
    label = "banned" if kind == BAN else "muted"
    if expires_at is not None and expires_at <= now:
        raise ModerationError(400, "expires_at must be in the future.")
    current = restriction_in_force_of(who.course_id, user.id, kind, scope=scope, now=now)
    if current is not None:
        raise ModerationError(400, f"User {user.username} is already {label} at {scope} level",
                              **{f"{kind}_id": current.id})
    session = db.session()
    row = session.scalar(sa.select(Restriction).where(
        _same(who.course_id, scope), Restriction.user_id == user.id, Restriction.kind == kind)
        .order_by(Restriction.id.desc()).limit(1))
    reactivated = row is not None
    if row is None:
        row = Restriction(course_id=who.course_id, user_id=user.id, kind=kind, scope=scope,
                          org=org_of(who.course_id))
        session.add(row)
    elif scope == ORG_SCOPE:
        session.execute(sa.delete(RestrictionException).where(RestrictionException.restriction_id == row.id))
    row.reason = (reason or row.reason or "")[:500]
    row.course_id = who.course_id
    row.created_by_id = who.id
    row.created_at = now
    row.expires_at = expires_at
    row.lifted_at = None
    row.lifted_by_id = None
    session.flush()
    audit.record(who.course_id, who, audit.USER_BANNED if kind == BAN else audit.USER_MUTED, target_type="user",
                 target_id=user.id, target_user_id=user.id, reason=reason,
                 details={f"{kind}_id": row.id, "scope": scope, "reactivated": reactivated,
                          "organization": row.org if scope == ORG_SCOPE else None,
                          "expires_at": expires_at.isoformat() if expires_at else None})
    session.commit()
    return row, reactivated


def ban(who: ForumUser, user: User, *, scope: str = COURSE_SCOPE, reason: str = "",
        expires_at: datetime | None = None) -> tuple[Restriction, bool]:
    """Ban ``user`` (see :func:`restrict`)."""
    return restrict(who, user, BAN, scope=scope, reason=reason, expires_at=expires_at)


def lift(who: ForumUser, restriction: Restriction, *, reason: str = "", course_id: str | None = None) -> bool:
    """Lift a ban or mute now, with an audit entry; commits. With ``course_id``, an organization ban is
    lifted in that course only (an exception; Open edX's ``exception_created``): returns whether it was."""
    session = db.session()
    if restriction.scope == ORG_SCOPE and course_id:
        exists = session.scalar(sa.select(RestrictionException.id).where(
            RestrictionException.restriction_id == restriction.id, RestrictionException.course_id == course_id))
        if exists is None:
            session.add(RestrictionException(restriction_id=restriction.id, course_id=course_id,
                                             reason=reason[:500], created_by_id=who.id, created_at=utcnow()))
        audit.record(course_id, who, audit.BAN_EXCEPTION, target_type="user", target_id=restriction.user_id,
                     target_user_id=restriction.user_id, reason=reason,
                     details={"ban_id": restriction.id, "organization": restriction.org})
        session.commit()
        return True
    restriction.lifted_at = utcnow()
    restriction.lifted_by_id = who.id
    audit.record(restriction.course_id, who, audit.RESTRICTION_LIFTED, target_type="user",
                 target_id=restriction.user_id, target_user_id=restriction.user_id, reason=reason,
                 details={"kind": restriction.kind, f"{restriction.kind}_id": restriction.id,
                          "scope": restriction.scope})
    session.commit()
    return False


def get_restriction(restriction_id: int, kind: str) -> Restriction | None:
    """The ``kind`` restriction ``restriction_id`` if it is in force, else ``None``."""
    return db.session().scalar(sa.select(Restriction).where(
        Restriction.id == int(restriction_id), Restriction.kind == kind, restriction_in_force(utcnow())))


@dataclass(frozen=True)
class RestrictionRow:
    restriction: Restriction
    user: User
    created_by_username: str | None


def restrictions_in_force(course_id: str, kind: str, *, scope: str | None = None) -> list[RestrictionRow]:
    """The ``kind`` restrictions in force in the course (its own and its organization's, not those lifted
    there; only ``scope`` when given), newest first, with their users."""
    by = aliased(User)
    rows = db.session().execute(
        sa.select(Restriction, User, by.username)
        .join(User, User.id == Restriction.user_id)
        .outerjoin(by, by.id == Restriction.created_by_id)
        .where(restriction_covers(course_id), Restriction.kind == kind, restriction_in_force(utcnow()),
               *([Restriction.scope == scope] if scope else []))
        .order_by(Restriction.created_at.desc(), Restriction.id.desc())).all()
    return [RestrictionRow(r, u, name) for r, u, name in rows]


# -- the audit log -------------------------------------------------------------------------------------------


def _audit_where(course_id: str, action: str | None) -> list[Any]:
    where = [AuditEntry.course_id == str(course_id)]
    if action:
        where.append(AuditEntry.action == action)
    return where


def count_audit_entries(course_id: str, *, action: str | None = None) -> int:
    """How many entries the course's audit log has (of ``action``)."""
    return int(db.session().scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                                   .where(*_audit_where(course_id, action))) or 0)


def audit_entries(course_id: str, *, offset: int, limit: int, action: str | None = None,
                  ) -> list[tuple[AuditEntry, str | None]]:
    """A page of the course's audit log, newest first, with each target user's username."""
    where = _audit_where(course_id, action)
    rows = db.session().execute(
        sa.select(AuditEntry, User.username).outerjoin(User, User.id == AuditEntry.target_user_id)
        .where(*where).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .offset(offset).limit(limit)).all()
    return [(entry, username) for entry, username in rows]


# -- the flagged queue ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlaggedPost:
    """A post with current abuse flags."""

    content_type: str
    post: Thread | Comment
    thread: Thread
    flag_count: int
    historical_flag_count: int
    last_flagged_at: datetime


def _flagged_query(who: ForumUser) -> Any:
    """Posts of the course with current flags, live, visible to ``who`` (a group moderator: their group's)."""
    flags = (sa.select(AbuseFlag.content_type, AbuseFlag.content_id, sa.func.count().label("n"),
                       sa.func.max(AbuseFlag.created_at).label("last"))
             .where(AbuseFlag.course_id == who.course_id, AbuseFlag.cleared_at.is_(None))
             .group_by(AbuseFlag.content_type, AbuseFlag.content_id).subquery())
    parent = aliased(Thread)
    stmt = (sa.select(flags.c.content_type, flags.c.content_id, flags.c.n, flags.c.last)
            .outerjoin(Thread, sa.and_(flags.c.content_type == THREAD, Thread.id == flags.c.content_id))
            .outerjoin(Comment, sa.and_(flags.c.content_type == COMMENT, Comment.id == flags.c.content_id))
            .outerjoin(parent, parent.id == Comment.thread_id)
            .where(sa.or_(sa.and_(Thread.id.is_not(None), Thread.deleted_at.is_(None)),
                          sa.and_(Comment.id.is_not(None), Comment.deleted_at.is_(None),
                                  parent.deleted_at.is_(None)))))
    if not who.is_moderator:
        group = who.group_id if who.is_group_moderator else None
        stmt = stmt.where(sa.func.coalesce(Thread.group_id, parent.group_id) == group) if group is not None \
            else stmt.where(sa.false())
    return stmt


def count_flagged_posts(who: ForumUser) -> int:
    """How many posts are in ``who``'s moderator queue."""
    return int(db.session().scalar(sa.select(sa.func.count()).select_from(_flagged_query(who).subquery())) or 0)


def flagged_posts(who: ForumUser, *, offset: int, limit: int) -> list[FlaggedPost]:
    """A page of the moderator queue: posts with current flags, most recently flagged first."""
    stmt = _flagged_query(who)
    session = db.session()
    rows = session.execute(stmt.order_by(sa.desc("last"), sa.desc("content_id")).offset(offset).limit(limit)).all()
    thread_ids = [r.content_id for r in rows if r.content_type == THREAD]
    comment_ids = [r.content_id for r in rows if r.content_type == COMMENT]
    comments = {c.id: c for c in session.scalars(sa.select(Comment).where(Comment.id.in_(comment_ids)))}
    thread_ids += [c.thread_id for c in comments.values()]
    threads = {t.id: t for t in session.scalars(sa.select(Thread).where(Thread.id.in_(thread_ids)))}
    history: dict[tuple[str, int], int] = {}
    if rows:
        pairs = [(r.content_type, r.content_id) for r in rows]
        for content_type, content_id, count in session.execute(
                sa.select(AbuseFlag.content_type, AbuseFlag.content_id, sa.func.count())
                .where(AbuseFlag.course_id == who.course_id, AbuseFlag.cleared_at.is_not(None),
                       sa.tuple_(AbuseFlag.content_type, AbuseFlag.content_id).in_(pairs))
                .group_by(AbuseFlag.content_type, AbuseFlag.content_id)):
            history[(content_type, content_id)] = int(count)
    found = []
    for row in rows:
        post: Thread | Comment = threads[row.content_id] if row.content_type == THREAD else comments[row.content_id]
        thread = post if isinstance(post, Thread) else threads[post.thread_id]
        found.append(FlaggedPost(row.content_type, post, thread, int(row.n),
                                 history.get((row.content_type, row.content_id), 0), row.last))
    return found


# -- a user's posts ------------------------------------------------------------------------------------------


def user_post_counts(course_ids: list[str], user_id: int) -> tuple[int, int]:
    """How many live threads and comments (responses included) the user wrote in the courses."""
    session = db.session()
    threads = session.scalar(sa.select(sa.func.count()).select_from(Thread).where(
        Thread.course_id.in_(course_ids), Thread.author_id == user_id, Thread.deleted_at.is_(None))) or 0
    comments = session.scalar(sa.select(sa.func.count()).select_from(Comment).where(
        Comment.course_id.in_(course_ids), Comment.author_id == user_id, Comment.deleted_at.is_(None))) or 0
    return int(threads), int(comments)


def courses_with_posts(org: str, user_id: int) -> list[str]:
    """The courses of ``org`` in which the user has live posts."""
    session = db.session()
    prefix = f"course-v1:{org}+"
    ids = set(session.scalars(sa.select(Thread.course_id).where(
        Thread.author_id == user_id, Thread.deleted_at.is_(None), Thread.course_id.startswith(prefix)).distinct()))
    ids |= set(session.scalars(sa.select(Comment.course_id).where(
        Comment.author_id == user_id, Comment.deleted_at.is_(None), Comment.course_id.startswith(prefix))
        .distinct()))
    return sorted(ids)


def delete_user_posts(who_by_course: dict[str, ForumUser], user: User, *, reason: str = "") -> tuple[int, int]:
    """Delete (softly, through the threads service: counters, events) every live post of ``user`` in the
    courses of ``who_by_course`` (the moderator in each course), comments first; one audit entry a
    course. Returns how many threads and comments were deleted."""
    session = db.session()
    deleted_threads = deleted_comments = 0
    for course_id, who in who_by_course.items():
        comment_ids = list(session.scalars(  # comments before responses; those in deleted threads are gone
            sa.select(Comment.id).join(Thread, Thread.id == Comment.thread_id).where(
                Comment.course_id == course_id, Comment.author_id == user.id, Comment.deleted_at.is_(None),
                Thread.deleted_at.is_(None))
            .order_by(Comment.parent_id.is_(None), Comment.id.desc())))
        course_comments = course_threads = 0
        for comment_id in comment_ids:
            comment = threads.get_comment(comment_id)
            if comment is not None and comment.deleted_at is None:
                threads.delete_comment(who, comment, reason)
                course_comments += 1
        thread_ids = list(session.scalars(sa.select(Thread.id).where(
            Thread.course_id == course_id, Thread.author_id == user.id, Thread.deleted_at.is_(None))))
        for thread_id in thread_ids:
            thread = threads.get_thread(thread_id)
            if thread is not None and thread.deleted_at is None:
                threads.delete_thread(who, thread, reason)
                course_threads += 1
        audit.record(course_id, who, audit.USER_POSTS_DELETED, target_type="user", target_id=user.id,
                     target_user_id=user.id, reason=reason,
                     details={"threads": course_threads, "comments": course_comments})
        session.commit()
        deleted_threads += course_threads
        deleted_comments += course_comments
    return deleted_threads, deleted_comments
