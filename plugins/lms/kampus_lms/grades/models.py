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
