"""The courses area's table: one row per course rerun (Open edX's ``CourseRerunState``), so the course list
can show a rerun being created, then its course, or its failure with the message."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kampus.db import Base, UTCDateTime, utcnow

#: Open edX's ``CourseRerunUIStateManager.State``.
IN_PROGRESS, SUCCEEDED, FAILED = "in_progress", "succeeded", "failed"


class StudioCourseRerun(Base):
    """A rerun of ``source_course_key`` into ``course_key``, made by the task ``studio.rerun_course``."""

    __tablename__ = "studio_course_rerun"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_key: Mapped[str] = mapped_column(sa.String(255), index=True)
    source_course_key: Mapped[str] = mapped_column(sa.String(255))
    display_name: Mapped[str] = mapped_column(sa.String(255))
    state: Mapped[str] = mapped_column(sa.String(16), default=IN_PROGRESS, index=True)
    message: Mapped[str] = mapped_column(sa.Text, default="")
    #: Open edX's ``should_display``: a failure stays in the course list until its author dismisses it.
    should_display: Mapped[bool] = mapped_column(default=True)
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("kampus_user.id", ondelete="SET NULL"), index=True, default=None)
    task_id: Mapped[str | None] = mapped_column(sa.String(36), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
