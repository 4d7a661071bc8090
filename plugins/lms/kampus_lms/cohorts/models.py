"""Tables of cohorts, after Open edX's ``course_groups`` models.

* ``lms_course_cohort_settings`` (``CourseCohortsSettings``): whether a course is cohorted, under an integer
  ``id`` (the ``id`` of Open edX's cohort settings API);
* ``lms_cohort`` (``CourseUserGroup`` with its ``CourseCohort``): a named group of a course's learners,
  ``manual`` or ``random`` (new learners are spread over the random cohorts);
* ``lms_cohort_membership`` (``CohortMembership``): a learner's one cohort in a course;
* ``lms_cohort_content_group`` (``CourseUserGroupPartitionGroup``): the content group (a group of the
  course's ``cohort`` user partition) a cohort is linked to;
* ``lms_cohort_preassignment`` (``UnregisteredLearnerCohortAssignments``): an e-mail address without an
  account added to a cohort; the account registered with it joins the cohort when it enrolls.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kampus.db import Base, UTCDateTime, utcnow


class CohortSettings(Base):
    """Whether a course is cohorted (one row per course)."""

    __tablename__ = "lms_course_cohort_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    is_cohorted: Mapped[bool] = mapped_column(default=False)
    modified: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Cohort(Base):
    """A cohort of a course."""

    __tablename__ = "lms_cohort"
    __table_args__ = (sa.UniqueConstraint("course_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(sa.String(255), index=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    assignment_type: Mapped[str] = mapped_column(sa.String(20), default="manual")
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CohortMembership(Base):
    """A learner's cohort in a course (at most one per course)."""

    __tablename__ = "lms_cohort_membership"
    __table_args__ = (sa.UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_cohort.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("kampus_user.id", ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(sa.String(255))
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CohortPreassignment(Base):
    """A cohort waiting for the account of an e-mail address (lower case)."""

    __tablename__ = "lms_cohort_preassignment"
    __table_args__ = (sa.UniqueConstraint("course_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_cohort.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[str] = mapped_column(sa.String(255))
    email: Mapped[str] = mapped_column(sa.String(254))
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CohortContentGroup(Base):
    """The content group a cohort is linked to: ``group_id`` of the user partition ``partition_id``."""

    __tablename__ = "lms_cohort_content_group"

    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_cohort.id", ondelete="CASCADE"), primary_key=True)
    partition_id: Mapped[int] = mapped_column(sa.Integer)
    group_id: Mapped[int] = mapped_column(sa.Integer)
