"""The bulk e-mail area's tables: messages (Open edX's ``CourseEmail``), one row per recipient and message
(the exactly-once ledger), course opt-outs (Open edX's ``Optout``) and courses whose e-mail global staff turned
on or off (Open edX's ``CourseAuthorization`` and ``DisabledCourse``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kampus.db import Base, UTCDateTime, utcnow

# A message's states.
SCHEDULED = "scheduled"  # waits for its send_at
QUEUED = "queued"  # its sending task was submitted
SENDING = "sending"
SENT = "sent"  # every recipient row is final (sent, failed or skipped)
FAILED = "failed"  # the task itself failed (not a recipient)
CANCELLED = "cancelled"

# A recipient row's states.
R_PENDING = "pending"
R_SENDING = "sending"  # claimed by an attempt of the task: in flight or about to be
R_SENT = "sent"
R_FAILED = "failed"
R_SKIPPED = "skipped"  # opted out, or no usable address


class BulkEmailMessage(Base):
    """An e-mail an instructor sent (or scheduled) to a course's targets."""

    __tablename__ = "instructor_bulk_email_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(sa.String(255), index=True)
    sender_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("kampus_user.id", ondelete="SET NULL", name="fk_ibe_message_sender"), default=None)
    subject: Mapped[str] = mapped_column(sa.String(128))
    html_message: Mapped[str] = mapped_column(sa.Text)
    targets: Mapped[Any] = mapped_column(sa.JSON)
    status: Mapped[str] = mapped_column(sa.String(16), default=QUEUED)
    send_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    task_id: Mapped[str] = mapped_column(sa.String(36), default="")
    recipients_ready: Mapped[bool] = mapped_column(default=False)
    error: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class BulkEmailRecipient(Base):
    """One recipient of one message: unique per (message, user); its ``status`` says whether it was sent."""

    __tablename__ = "instructor_bulk_email_recipient"
    __table_args__ = (sa.UniqueConstraint("message_id", "user_id"),
                      sa.Index("ix_instructor_bulk_email_recipient_message_status", "message_id", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        sa.ForeignKey("instructor_bulk_email_message.id", ondelete="CASCADE", name="fk_ibe_recipient_message"))
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("kampus_user.id", ondelete="CASCADE", name="fk_ibe_recipient_user"))
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    status: Mapped[str] = mapped_column(sa.String(16), default=R_PENDING)
    attempt: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(sa.String(255), default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class BulkEmailOptout(Base):
    """A learner who asked for no more e-mail from a course's team."""

    __tablename__ = "instructor_bulk_email_optout"
    __table_args__ = (sa.UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("kampus_user.id", ondelete="CASCADE", name="fk_ibe_optout_user"))
    course_id: Mapped[str] = mapped_column(sa.String(255), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class BulkEmailCourse(Base):
    """Global staff's choice for one course: course e-mail on (Open edX's ``CourseAuthorization``, needed when
    the site requires it) or off (Open edX's ``DisabledCourse``)."""

    __tablename__ = "instructor_bulk_email_course"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    email_enabled: Mapped[bool] = mapped_column(default=True)
    changed_by: Mapped[int | None] = mapped_column(
        sa.ForeignKey("kampus_user.id", ondelete="SET NULL", name="fk_ibe_course_changed_by"), default=None)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
