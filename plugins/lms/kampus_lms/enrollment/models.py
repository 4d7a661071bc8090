"""Tables of enrollment, after Open edX's ``common/djangoapps/student`` and ``course_modes``.

* ``lms_course_enrollment`` (``CourseEnrollment``): one row per (user, course), kept when the learner
  unenrolls (``is_active`` false) and reactivated when they enroll again;
* ``lms_course_enrollment_allowed`` (``CourseEnrollmentAllowed``): an e-mail address allowed into a
  course before (or without) an account; with ``auto_enroll`` the account registered with that address
  is enrolled at once. ``mode`` (a Kampus addition) is the mode it is enrolled in (empty: the course's
  default). ``user_id`` is set once an account has the address;
* ``lms_course_mode`` (``CourseMode``): the modes (tracks) a course offers, with a price. A course with
  no rows offers Open edX's default mode, ``audit``, for free.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kampus.db import Base, UTCDateTime, utcnow


class CourseEnrollment(Base):
    """A user's enrollment in a course (active or not)."""

    __tablename__ = "lms_course_enrollment"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "course_id"),
        sa.Index("ix_lms_course_enrollment_course_id_is_active", "course_id", "is_active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("kampus_user.id", ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(sa.String(255))
    mode: Mapped[str] = mapped_column(sa.String(100))
    is_active: Mapped[bool] = mapped_column(default=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    modified: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CourseEnrollmentAllowed(Base):
    """An e-mail address allowed to enroll in a course (pre-enrollment)."""

    __tablename__ = "lms_course_enrollment_allowed"
    __table_args__ = (sa.UniqueConstraint("email", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lower case, so that the address matches however the learner types it.
    email: Mapped[str] = mapped_column(sa.String(254))
    course_id: Mapped[str] = mapped_column(sa.String(255))
    auto_enroll: Mapped[bool] = mapped_column(default=False)
    mode: Mapped[str] = mapped_column(sa.String(100), default="")
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("kampus_user.id", ondelete="SET NULL"), default=None, index=True)


class CourseModeRecord(Base):
    """A mode (track) a course offers."""

    __tablename__ = "lms_course_mode"
    __table_args__ = (sa.UniqueConstraint("course_id", "mode_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(sa.String(255))
    mode_slug: Mapped[str] = mapped_column(sa.String(100))
    mode_display_name: Mapped[str] = mapped_column(sa.String(255))
    #: Whole units of ``currency`` (Open edX's ``min_price`` is an integer too).
    min_price: Mapped[int] = mapped_column(sa.Integer, default=0)
    currency: Mapped[str] = mapped_column(sa.String(8), default="usd")
    expiration_datetime: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    description: Mapped[str] = mapped_column(sa.Text, default="")
