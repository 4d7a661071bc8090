"""Tables of the course home: learners' weekly course goals, their days of activity, and course tags.

* ``lms_course_goal``: how many days a week a learner means to study a course and whether they want
  reminders (Open edX's ``course_goals.CourseGoal``: ``days_per_week``, ``subscribed_to_reminders``);
  one row per learner and course; ``reminder_sent_week``, the Monday of the week whose goal reminder went
  out (Open edX's ``CourseGoalReminderStatus``, which a Monday run clears: a week date needs no clearing);
* ``lms_user_activity``: the days a learner was active in a course, one row per learner, course and day in the
  learner's time zone (Open edX's ``course_goals.UserActivity``), counted against the weekly goal;
* ``lms_user_course_tag``: small values kept per learner and course under a key (Open edX's
  ``user_api.UserCourseTag``): ``view-welcome-message``, the welcome messages the learner dismissed.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kampus.db import Base, UTCDateTime, utcnow


class CourseGoal(Base):
    """A learner's weekly learning goal in one course."""

    __tablename__ = "lms_course_goal"
    __table_args__ = (sa.UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("kampus_user.id", ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(sa.String(255))
    days_per_week: Mapped[int] = mapped_column(sa.Integer, default=0)
    subscribed_to_reminders: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    modified: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reminder_sent_week: Mapped[date | None] = mapped_column(sa.Date(), default=None)


class UserActivity(Base):
    """A day on which a learner was active in a course (the day in the learner's time zone)."""

    __tablename__ = "lms_user_activity"
    __table_args__ = (sa.UniqueConstraint("user_id", "course_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("kampus_user.id", ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(sa.String(255))
    day: Mapped[date] = mapped_column(sa.Date())


class UserCourseTag(Base):
    """One value kept for a learner in a course under ``key``."""

    __tablename__ = "lms_user_course_tag"
    __table_args__ = (sa.UniqueConstraint("user_id", "course_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("kampus_user.id", ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(sa.String(255))
    key: Mapped[str] = mapped_column(sa.String(255))
    value: Mapped[str] = mapped_column(sa.Text(), default="")
