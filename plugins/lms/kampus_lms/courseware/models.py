"""Tables of the courseware: bookmarks, and where each learner was in each subsection.

* ``lms_bookmark``: a learner's bookmark on a unit (Open edX's ``bookmarks.Bookmark``),
  with a snapshot of the unit's name and its path (section, subsection) when it was made;
* ``lms_visit``: the unit a learner last viewed in each subsection (Open edX keeps the
  sequence's ``position`` in ``StudentModule``); the newest row of a course is where
  "Resume" leads. One row per learner and subsection, written by one upsert per unit view.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kampus.db import Base, UTCDateTime, utcnow


class Bookmark(Base):
    """A learner's bookmark on one unit."""

    __tablename__ = "lms_bookmark"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "usage_id"),
        sa.Index("ix_lms_bookmark_user_id_course_id", "user_id", "course_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.Integer)
    course_id: Mapped[str] = mapped_column(sa.String(255))
    usage_id: Mapped[str] = mapped_column(sa.String(255))
    block_type: Mapped[str] = mapped_column(sa.String(64))
    display_name: Mapped[str] = mapped_column(sa.String(255))
    path: Mapped[Any] = mapped_column(sa.JSON)  #: [{"usage_id", "display_name"}] of the section and subsection
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Visit(Base):
    """The unit a learner last viewed in one subsection."""

    __tablename__ = "lms_visit"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "sequential_id"),
        sa.Index("ix_lms_visit_user_id_course_id", "user_id", "course_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.Integer)
    course_id: Mapped[str] = mapped_column(sa.String(255))
    sequential_id: Mapped[str] = mapped_column(sa.String(255))
    unit_id: Mapped[str] = mapped_column(sa.String(255))
    modified: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
