"""The transfer area's table: one row per import upload (Open edX Studio uploads in 20 MB chunks; here
each chunk is kept as a blob, so an upload resumes where it stopped after a dropped connection)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kampus.db import Base, UTCDateTime, utcnow

#: States of an upload: chunks arriving, the import task running, and its outcome.
UPLOADING, IMPORTING, SUCCEEDED, FAILED = "uploading", "importing", "succeeded", "failed"


class StudioUpload(Base):
    """An OLX archive being uploaded (in chunks) and imported into a course."""

    __tablename__ = "studio_upload"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    course_id: Mapped[str] = mapped_column(sa.String(255), index=True)
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("kampus_user.id", ondelete="SET NULL"), index=True, default=None)
    filename: Mapped[str] = mapped_column(sa.String(255))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    received: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    chunks: Mapped[int] = mapped_column(default=0)
    state: Mapped[str] = mapped_column(sa.String(16), default=UPLOADING)
    task_id: Mapped[str | None] = mapped_column(sa.String(36), default=None)
    errors: Mapped[list[Any] | None] = mapped_column(sa.JSON, default=None)
    warnings: Mapped[list[Any] | None] = mapped_column(sa.JSON, default=None)
    result: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
