"""A course's discussion settings (Open edX's ``CourseDiscussionSettings``).

Topics themselves come from the course: course-wide topics from the policy's ``discussion_topics``,
in-context topics from its ``discussion`` blocks; blackout periods from ``discussion_blackouts``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kampus.db import Base, UTCDateTime, utcnow

#: ``division_scheme`` values (Open edX's ``CourseDiscussionSettings``).
NONE = "none"
COHORT = "cohort"
ENROLLMENT_TRACK = "enrollment_track"
DIVISION_SCHEMES = (NONE, COHORT, ENROLLMENT_TRACK)


class DiscussionSettings(Base):
    """How a course's discussions are divided among groups."""

    __tablename__ = "forums_discussion_settings"

    course_id: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    division_scheme: Mapped[str] = mapped_column(sa.String(20), default=NONE)
    always_divide_inline_discussions: Mapped[bool] = mapped_column(default=False)
    #: ids of the course-wide topics that are divided
    divided_discussions: Mapped[Any] = mapped_column(sa.JSON, default=list)
    reported_content_email_notifications: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
