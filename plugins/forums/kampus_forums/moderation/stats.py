"""Each user's discussion activity in a course (the comments service's ``user stats``, behind Open edX's
``activity_stats`` endpoint): threads, responses and replies written, and how many of their posts carry
current (``active_flags``) or cleared (``inactive_flags``) abuse flags.

As the comments service counts them: live posts only, anonymous ones left out (counting them would name
their authors). Sort keys: ``activity`` (threads, responses, replies, then username, all descending),
``flagged`` (active, inactive flags) and ``recency`` (last post).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from kampus_lms import api as lms

from kampus import db
from kampus.identity.models import User
from kampus_forums.interactions.models import AbuseFlag
from kampus_forums.threads.models import COMMENT, THREAD, Comment, Thread

ACTIVITY = "activity"
FLAGGED = "flagged"
RECENCY = "recency"
ORDERINGS = (ACTIVITY, FLAGGED, RECENCY)


@dataclass(frozen=True)
class UserStats:
    username: str
    threads: int
    responses: int
    replies: int
    active_flags: int
    inactive_flags: int
    last_activity_at: datetime | None


def _cleared(course_id: str) -> Any:
    """The course's posts that carry cleared flags (one row each)."""
    return (sa.select(AbuseFlag.content_type, AbuseFlag.content_id)
            .where(AbuseFlag.course_id == course_id, AbuseFlag.cleared_at.is_not(None))
            .group_by(AbuseFlag.content_type, AbuseFlag.content_id).subquery())


def _live_threads(course_id: str) -> list[Any]:
    return [Thread.course_id == course_id, Thread.deleted_at.is_(None), Thread.author_id.is_not(None),
            Thread.anonymous.is_(False), Thread.anonymous_to_peers.is_(False)]


def _live_comments(course_id: str) -> list[Any]:
    return [Comment.course_id == course_id, Comment.deleted_at.is_(None), Comment.author_id.is_not(None),
            Comment.anonymous.is_(False), Comment.anonymous_to_peers.is_(False)]


def _per_user(course_id: str) -> Any:
    """One row a user with posts in the course: the sums and the last post's time."""
    one, zero = sa.literal(1), sa.literal(0)
    cleared = _cleared(course_id)
    threads = sa.select(
        Thread.author_id.label("user_id"), one.label("threads"), zero.label("responses"), zero.label("replies"),
        sa.case((Thread.abuse_flag_count > 0, 1), else_=0).label("active"),
        sa.case((cleared.c.content_id.is_not(None), 1), else_=0).label("inactive"),
        Thread.created_at.label("at"),
    ).outerjoin(cleared, sa.and_(cleared.c.content_type == THREAD, cleared.c.content_id == Thread.id)
                ).where(*_live_threads(course_id))
    comments = sa.select(
        Comment.author_id.label("user_id"), zero.label("threads"),
        sa.case((Comment.parent_id.is_(None), 1), else_=0).label("responses"),
        sa.case((Comment.parent_id.is_(None), 0), else_=1).label("replies"),
        sa.case((Comment.abuse_flag_count > 0, 1), else_=0).label("active"),
        sa.case((cleared.c.content_id.is_not(None), 1), else_=0).label("inactive"),
        Comment.created_at.label("at"),
    ).outerjoin(cleared, sa.and_(cleared.c.content_type == COMMENT, cleared.c.content_id == Comment.id)
                ).where(*_live_comments(course_id))
    posts = sa.union_all(threads, comments).subquery()
    return (sa.select(posts.c.user_id, sa.func.sum(posts.c.threads).label("threads"),
                      sa.func.sum(posts.c.responses).label("responses"),
                      sa.func.sum(posts.c.replies).label("replies"),
                      sa.func.sum(posts.c.active).label("active_flags"),
                      sa.func.sum(posts.c.inactive).label("inactive_flags"),
                      sa.func.max(posts.c.at).label("last_activity_at"))
            .group_by(posts.c.user_id).subquery())


def _order(stats: Any, order_by: str) -> list[Any]:
    threads, responses, replies = (sa.func.coalesce(stats.c.threads, 0), sa.func.coalesce(stats.c.responses, 0),
                                   sa.func.coalesce(stats.c.replies, 0))
    if order_by == FLAGGED:
        keys = [sa.func.coalesce(stats.c.active_flags, 0).desc(), sa.func.coalesce(stats.c.inactive_flags, 0).desc()]
    elif order_by == RECENCY:
        keys = [stats.c.last_activity_at.desc()]
    else:
        keys = [threads.desc(), responses.desc(), replies.desc()]
    return [*keys, User.username.desc()]


def _listed(course_id: str, user_ids: list[int] | None) -> tuple[Any, Any]:
    stats = _per_user(str(course_id))
    if user_ids is None:
        return stats, sa.select(User.username, stats).join(User, User.id == stats.c.user_id)
    return stats, (sa.select(User.username, stats).select_from(User)
                   .outerjoin(stats, stats.c.user_id == User.id).where(User.id.in_(user_ids)))


def count_user_stats(course_id: str, *, user_ids: list[int] | None = None) -> int:
    """How many users :func:`user_stats` lists."""
    if user_ids is not None:
        return len(set(user_ids))
    authors = sa.union(sa.select(Thread.author_id.label("user_id")).where(*_live_threads(str(course_id))),
                       sa.select(Comment.author_id.label("user_id")).where(*_live_comments(str(course_id))))
    posts = authors.subquery()
    return int(db.session().scalar(sa.select(sa.func.count()).select_from(posts)
                                   .join(User, User.id == posts.c.user_id)) or 0)


def user_stats(course_id: str, order_by: str, *, offset: int, limit: int,
               user_ids: list[int] | None = None) -> list[UserStats]:
    """A page of the course's user stats: users with posts, or (``user_ids``) exactly those users, zeros for
    the ones without posts."""
    stats, base = _listed(course_id, user_ids)
    rows = db.session().execute(base.order_by(*_order(stats, order_by)).offset(offset).limit(limit)).all()
    return [UserStats(row.username, int(row.threads or 0), int(row.responses or 0), int(row.replies or 0),
                      int(row.active_flags or 0), int(row.inactive_flags or 0), row.last_activity_at)
            for row in rows]


def enrolled_matching(course_id: str, text: str) -> list[int]:
    """Ids of the users actively enrolled in the course whose username contains ``text`` (any case)."""
    enrolled = lms.enrolled_user_ids(course_id)
    if not enrolled:
        return []
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return list(db.session().scalars(sa.select(User.id).where(
        User.id.in_(enrolled), User.username.ilike(f"%{escaped}%", escape="\\"))))
