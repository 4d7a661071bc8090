"""The catalog's table: one cached overview per published course (Open edX's ``CourseOverview``).

A course's catalog facts are read from its published structure and its OLX ``about/`` files when
the course is published (``kampus_content_published``), and kept here, so that the front page and
the catalog read every course in one query, whatever the number of courses, on every web process.
Columns the catalog filters or sorts on are columns; the rest is one JSON document.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column

from kampus.db import Base, UTCDateTime, utcnow

LongText = sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql")


class CourseOverviewRow(Base):
    """The overview of one published course (see :class:`kampus_lms.catalog.overviews.CourseOverview`)."""

    __tablename__ = "lms_course_overviews"

    course_id: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    version: Mapped[str] = mapped_column(sa.String(32))
    org: Mapped[str] = mapped_column(sa.String(255), index=True)
    display_name: Mapped[str] = mapped_column(sa.String(255))
    language: Mapped[str] = mapped_column(sa.String(32), default="")
    start: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    end: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    enrollment_start: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    enrollment_end: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    catalog_visibility: Mapped[str] = mapped_column(sa.String(16), default="both")
    invitation_only: Mapped[bool] = mapped_column(sa.Boolean(), default=False)
    data: Mapped[str] = mapped_column(LongText)
    modified: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
