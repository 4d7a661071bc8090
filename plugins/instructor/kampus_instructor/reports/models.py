"""The reports area's table: one row per report file a task wrote (Open edX's ``ReportStore`` listing)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kampus.db import Base, UTCDateTime, utcnow


class ReportFile(Base):
    """A CSV report in the blob store, listed on the course's Data Download section.

    One row per task record (``task_id`` is unique): a task that runs again after its worker died
    rewrites the same blob and row, so a report is never listed twice.
    """

    __tablename__ = "instructor_report_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(sa.String(255), index=True)
    task_id: Mapped[str] = mapped_column(sa.String(36), unique=True)
    report_type: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(255))
    blob_key: Mapped[str] = mapped_column(sa.String(1024))
    size: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    rows: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[int | None] = mapped_column(
        sa.ForeignKey("kampus_user.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
