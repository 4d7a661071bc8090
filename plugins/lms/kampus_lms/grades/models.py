"""Tables of the grades area (migration ``l0005_grades``).

* ``lms_grades_subsection``: Open edX's ``PersistentSubsectionGrade``: a learner's weighted points in
  one subsection, all and graded, when first attempted, the course version and a hash of the scored
  blocks counted (``visible_blocks_hash``). Kept for attempted subsections only, as Open edX does.
* ``lms_grades_course``: Open edX's ``PersistentCourseGrade``: percent, letter grade, when first
  passed, the course version and grading policy hash graded with, plus what makes the row stale
  (the visibility key, the learner's score count and latest score change) and the grader's
  breakdown (JSON text).
* ``lms_grades_max_scores``: the possible points of every scorable block of one published version, and
  the version's grading signature (policy, graded subsections and their formats, possible points): a
  publish whose signature differs from the one learners were graded with regrades them.

Rows are unique per (user, course[, subsection]); writers upsert (:mod:`kampus_lms.grades.persistence`).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kampus.db import Base, UTCDateTime, utcnow


class PersistentSubsectionGrade(Base):
    """A learner's grade in one subsection."""

    __tablename__ = "lms_grades_subsection"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "course_id", "usage_key"),
        sa.Index("ix_lms_grades_subsection_course_id_user_id", "course_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("kampus_user.id", ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(sa.String(255))
    usage_key: Mapped[str] = mapped_column(sa.String(255))
    course_version: Mapped[str] = mapped_column(sa.String(255), default="")
    earned_all: Mapped[float] = mapped_column(sa.Double())
    possible_all: Mapped[float] = mapped_column(sa.Double())
    earned_graded: Mapped[float] = mapped_column(sa.Double())
    possible_graded: Mapped[float] = mapped_column(sa.Double())
    first_attempted: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    visible_blocks_hash: Mapped[str] = mapped_column(sa.String(64), default="")
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    modified: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PersistentCourseGrade(Base):
    """A learner's course grade."""

    __tablename__ = "lms_grades_course"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "course_id"),
        sa.Index("ix_lms_grades_course_course_id_passed", "course_id", "passed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("kampus_user.id", ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(sa.String(255))
    course_version: Mapped[str] = mapped_column(sa.String(255), default="")
    grading_policy_hash: Mapped[str] = mapped_column(sa.String(64), default="")
    percent_grade: Mapped[float] = mapped_column(sa.Double())
    letter_grade: Mapped[str] = mapped_column(sa.String(255), default="")
    passed: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    passed_timestamp: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    visibility: Mapped[str] = mapped_column(sa.String(64), default="")
    scores_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    scores_modified: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    summary: Mapped[str] = mapped_column(sa.Text, default="{}")
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    modified: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class GradingMaxScores(Base):
    """The possible points of each scorable block of one published course version (JSON text)."""

    __tablename__ = "lms_grades_max_scores"
    __table_args__ = (sa.UniqueConstraint("course_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(sa.String(255))
    version: Mapped[str] = mapped_column(sa.String(64))
    max_scores: Mapped[str] = mapped_column(sa.Text)
    signature: Mapped[str] = mapped_column(sa.String(64), default="")
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SubsectionGradeOverride(Base):
    """An override of a learner's grade in one subsection (Open edX's ``PersistentSubsectionGradeOverride``).

    A ``None`` value keeps the computed one; the grade computation applies the override
    (:mod:`kampus_lms.grades.compute`). Every change is kept in :class:`SubsectionGradeOverrideHistory`.
    """

    __tablename__ = "lms_grades_subsection_override"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "course_id", "usage_key"),
        sa.Index("ix_lms_grades_subsection_override_course_id_user_id", "course_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("kampus_user.id", ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(sa.String(255))
    usage_key: Mapped[str] = mapped_column(sa.String(255))
    earned_all_override: Mapped[float | None] = mapped_column(sa.Double(), nullable=True)
    possible_all_override: Mapped[float | None] = mapped_column(sa.Double(), nullable=True)
    earned_graded_override: Mapped[float | None] = mapped_column(sa.Double(), nullable=True)
    possible_graded_override: Mapped[float | None] = mapped_column(sa.Double(), nullable=True)
    system: Mapped[str] = mapped_column(sa.String(32), default="GRADEBOOK")
    reason: Mapped[str] = mapped_column(sa.String(300), default="")
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    modified: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SubsectionGradeOverrideHistory(Base):
    """One change of a subsection grade override: who, when, the grade before and after, why (Open edX's
    ``PersistentSubsectionGradeOverrideHistory``). Kept when the override is deleted."""

    __tablename__ = "lms_grades_subsection_override_history"
    __table_args__ = (
        sa.Index("ix_lms_grades_override_history_course_usage_user", "course_id", "usage_key", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    override_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("kampus_user.id", ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(sa.String(255))
    usage_key: Mapped[str] = mapped_column(sa.String(255))
    action: Mapped[str] = mapped_column(sa.String(32))  #: ``CREATEORUPDATE`` or ``DELETE``
    feature: Mapped[str] = mapped_column(sa.String(32), default="GRADEBOOK")
    comments: Mapped[str] = mapped_column(sa.String(300), default="")
    earned_all_override: Mapped[float | None] = mapped_column(sa.Double(), nullable=True)
    possible_all_override: Mapped[float | None] = mapped_column(sa.Double(), nullable=True)
    earned_graded_override: Mapped[float | None] = mapped_column(sa.Double(), nullable=True)
    possible_graded_override: Mapped[float | None] = mapped_column(sa.Double(), nullable=True)
    previous_earned_graded: Mapped[float | None] = mapped_column(sa.Double(), nullable=True)
    previous_possible_graded: Mapped[float | None] = mapped_column(sa.Double(), nullable=True)
    history_user_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DueDateExtension(Base):
    """A learner's own due date for one subsection and everything under it (Open edX's ``change_due_date``,
    stored as its ``StudentFieldOverride`` of ``due``)."""

    __tablename__ = "lms_due_date_extension"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "course_id", "usage_key"),
        sa.Index("ix_lms_due_date_extension_course_id_usage_key", "course_id", "usage_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("kampus_user.id", ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(sa.String(255))
    usage_key: Mapped[str] = mapped_column(sa.String(255))
    extended_due: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(sa.String(255), default="")
    created_by: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    modified: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
