"""Bans and mutes of learners in a course's forums, and the audit log of moderators' actions.

A *ban* stops a user from posting, voting and flagging; a *mute* stops posting only (the user still
reads, votes and follows). Either lasts until ``expires_at`` (``None``: until lifted).

As Open edX's ``DiscussionBan``, a ban has a scope: ``course`` (``course_id``) or ``organization`` (every
course of ``org``; ``course_id`` is the course it was issued from). A course moderator may lift an
organization ban in their course only: a :class:`RestrictionException` (Open edX's
``DiscussionBanException``) keeps it for the others.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kampus.db import Base, UTCDateTime, utcnow

BAN = "ban"
MUTE = "mute"
RESTRICTION_KINDS = (BAN, MUTE)
COURSE_SCOPE = "course"
ORG_SCOPE = "organization"
SCOPES = (COURSE_SCOPE, ORG_SCOPE)


class Restriction(Base):
    """A ban or mute of a user in a course."""

    __tablename__ = "forums_restriction"
    __table_args__ = (sa.Index("ix_forums_restriction_user_course", "user_id", "course_id", "lifted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the course of a course-scoped restriction; for an organization ban, the course it was issued from
    course_id: Mapped[str] = mapped_column(sa.String(255))
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("kampus_user.id", ondelete="CASCADE", name="fk_forums_restriction_user"))
    kind: Mapped[str] = mapped_column(sa.String(8))
    scope: Mapped[str] = mapped_column(sa.String(16), default=COURSE_SCOPE, server_default=COURSE_SCOPE)
    #: the organization of the course (course scope, for reporting) or the one banned from (organization scope)
    org: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    lifted_by_id: Mapped[int | None] = mapped_column(default=None)


class RestrictionException(Base):
    """A course where an organization ban does not apply (lifted there by a course moderator)."""

    __tablename__ = "forums_restriction_exception"
    __table_args__ = (sa.UniqueConstraint("restriction_id", "course_id",
                                          name="uq_forums_restriction_exception_course"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    restriction_id: Mapped[int] = mapped_column(
        sa.ForeignKey("forums_restriction.id", ondelete="CASCADE", name="fk_forums_restriction_exception_ban"))
    course_id: Mapped[str] = mapped_column(sa.String(255))
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditEntry(Base):
    """One moderator action: what, on which post or user, by whom, why."""

    __tablename__ = "forums_audit_entry"
    __table_args__ = (sa.Index("ix_forums_audit_entry_course_time", "course_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(sa.String(255))
    moderator_id: Mapped[int | None] = mapped_column(default=None)
    moderator_username: Mapped[str] = mapped_column(sa.String(150), default="")
    #: e.g. ``thread.deleted``, ``comment.deleted``, ``thread.pinned``, ``thread.closed``, ``flag.cleared``,
    #: ``user.banned``, ``user.muted``, ``restriction.lifted``, ``comment.endorsed``, ``role.granted``
    action: Mapped[str] = mapped_column(sa.String(64))
    target_type: Mapped[str] = mapped_column(sa.String(16), default="")
    target_id: Mapped[str] = mapped_column(sa.String(64), default="")
    target_user_id: Mapped[int | None] = mapped_column(default=None)
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    details: Mapped[Any] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
