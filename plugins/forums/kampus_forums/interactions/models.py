"""Votes (one per user and post), follows (subscriptions to threads) and abuse flags.

A flag that a moderator clears keeps its row with ``cleared_at`` set: Open edX's
``historical_abuse_flaggers``. A post's current flags are its rows with no ``cleared_at``.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kampus.db import Base, UTCDateTime, utcnow


class Vote(Base):
    """An up-vote of a thread or comment (``content_type`` ``thread`` or ``comment``)."""

    __tablename__ = "forums_vote"
    __table_args__ = (sa.UniqueConstraint("content_type", "content_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    content_type: Mapped[str] = mapped_column(sa.String(16))
    content_id: Mapped[int]
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("kampus_user.id", ondelete="CASCADE", name="fk_forums_vote_user"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Follow(Base):
    """A user following a thread (Open edX's ``Subscription`` with ``source_type`` thread)."""

    __tablename__ = "forums_follow"
    __table_args__ = (sa.UniqueConstraint("user_id", "thread_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("kampus_user.id", ondelete="CASCADE", name="fk_forums_follow_user"))
    thread_id: Mapped[int] = mapped_column(
        sa.ForeignKey("forums_thread.id", ondelete="CASCADE", name="fk_forums_follow_thread"), index=True)
    course_id: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AbuseFlag(Base):
    """A user reporting a post; cleared (not deleted) when a moderator un-flags it."""

    __tablename__ = "forums_abuse_flag"
    __table_args__ = (sa.Index("ix_forums_abuse_flag_content", "content_type", "content_id", "cleared_at"),
                      sa.Index("ix_forums_abuse_flag_course", "course_id", "cleared_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    content_type: Mapped[str] = mapped_column(sa.String(16))
    content_id: Mapped[int]
    course_id: Mapped[str] = mapped_column(sa.String(255))
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("kampus_user.id", ondelete="CASCADE", name="fk_forums_abuse_flag_user"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    cleared_by_id: Mapped[int | None] = mapped_column(default=None)
