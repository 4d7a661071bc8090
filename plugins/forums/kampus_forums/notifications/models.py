"""In-app notifications, e-mail preferences per kind and the ledger of digests sent.

A digest is sent at most once per user, cadence and period: the row of :class:`DigestSent` is
inserted (unique on ``user_id, cadence, period_start``) in the same transaction that claims the
digest, before the mail goes out, so a retried batch finds it and skips that user.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kampus.db import Base, UTCDateTime, utcnow

#: Kinds of notification.
RESPONSE_ON_MY_THREAD = "response_on_my_thread"
COMMENT_ON_MY_RESPONSE = "comment_on_my_response"
ENDORSEMENT = "endorsement"
FOLLOWED_THREAD_POST = "followed_thread_post"
CONTENT_REPORTED = "content_reported"
KINDS = (RESPONSE_ON_MY_THREAD, COMMENT_ON_MY_RESPONSE, ENDORSEMENT, FOLLOWED_THREAD_POST, CONTENT_REPORTED)

#: E-mail cadences.
OFF = "off"
IMMEDIATELY = "immediately"
DAILY = "daily"
WEEKLY = "weekly"
CADENCES = (OFF, IMMEDIATELY, DAILY, WEEKLY)

# DigestSent states.
SENDING = "sending"
SENT = "sent"
EMPTY = "empty"  # nothing to send for the period


class Notification(Base):
    """Something that happened in the forums that a user should know."""

    __tablename__ = "forums_notification"
    __table_args__ = (sa.Index("ix_forums_notification_user_read", "user_id", "read_at", "created_at"),
                      sa.Index("ix_forums_notification_user_created", "user_id", "created_at"),
                      sa.Index("ix_forums_notification_user_seen", "user_id", "seen_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("kampus_user.id", ondelete="CASCADE", name="fk_forums_notification_user"))
    course_id: Mapped[str] = mapped_column(sa.String(255))
    kind: Mapped[str] = mapped_column(sa.String(32))
    thread_id: Mapped[int | None] = mapped_column(default=None)
    comment_id: Mapped[int | None] = mapped_column(default=None)
    actor_id: Mapped[int | None] = mapped_column(default=None)
    #: what the list shows without a join: thread title, actor label, a preview of the post
    data: Mapped[Any] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    #: when the user saw it in the tray (Open edX's ``last_seen``; reading it sees it too)
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    #: when it went out by immediate e-mail (``None``: not mailed on its own)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    #: shown in the list and counted by the bell (Open edX's ``web``): false when the user turned web
    #: notifications of its kind off in its course, and it was made for e-mail only
    web: Mapped[bool] = mapped_column(default=True, server_default=sa.true())


class NotificationPreference(Base):
    """A user's e-mail cadence for one kind of notification (no row: the kind's default)."""

    __tablename__ = "forums_notification_preference"
    __table_args__ = (sa.UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("kampus_user.id", ondelete="CASCADE", name="fk_forums_notification_preference_user"))
    kind: Mapped[str] = mapped_column(sa.String(32))
    cadence: Mapped[str] = mapped_column(sa.String(16))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CourseNotificationPreference(Base):
    """A user's choice for one kind of notification in one course (Open edX's per-course
    ``CourseNotificationPreference``). No row: the course follows the account's preferences. The rows of a
    user's course are written together (every kind), so ``enabled`` (the whole discussion app in the
    course) is the same on each."""

    __tablename__ = "forums_course_notification_preference"
    __table_args__ = (sa.UniqueConstraint("user_id", "course_id", "kind",
                                          name="uq_forums_course_notification_preference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("kampus_user.id", ondelete="CASCADE", name="fk_forums_course_notification_preference_user"))
    course_id: Mapped[str] = mapped_column(sa.String(255))
    kind: Mapped[str] = mapped_column(sa.String(32))
    #: the discussion notifications of the course at all
    enabled: Mapped[bool] = mapped_column(default=True)
    #: in-app (the bell and the list)
    web: Mapped[bool] = mapped_column(default=True)
    #: the e-mail cadence in this course (one of :data:`CADENCES`); ``None``: the account's
    cadence: Mapped[str | None] = mapped_column(sa.String(16), default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DigestSent(Base):
    """The digest of one user for one period: claimed, then sent (or found empty)."""

    __tablename__ = "forums_digest_sent"
    __table_args__ = (sa.UniqueConstraint("user_id", "cadence", "period_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("kampus_user.id", ondelete="CASCADE", name="fk_forums_digest_sent_user"))
    cadence: Mapped[str] = mapped_column(sa.String(16))
    period_start: Mapped[datetime] = mapped_column(UTCDateTime())
    period_end: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(sa.String(16), default=SENDING)
    notification_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
