"""The task record: what a background task is doing, for its page and API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kampus.db import Base, UTCDateTime, utcnow

PENDING, STARTED, PROGRESS, SUCCESS, FAILURE = "PENDING", "STARTED", "PROGRESS", "SUCCESS", "FAILURE"
#: A task stopped on request (:func:`kampus.tasks.api.cancel`): it never runs again.
CANCELLED = "CANCELLED"
FINISHED_STATES = (SUCCESS, FAILURE, CANCELLED)
#: States of a task that a worker has taken (it names the worker in ``worker``).
RUNNING_STATES = (STARTED, PROGRESS)
#: What someone who may not see a failed task's error is told.
SHORT_FAILURE_MESSAGE = "The task failed. The site's staff can see what went wrong."


class TaskRecord(Base):
    """One submitted background task (like Open edX's InstructorTask)."""

    __tablename__ = "kampus_task"
    __table_args__ = (sa.Index("ix_kampus_task_name_key", "name", "task_key"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    task_key: Mapped[str] = mapped_column(sa.String(255), default="")
    course_id: Mapped[str] = mapped_column(sa.String(255), default="", index=True)
    arguments: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    state: Mapped[str] = mapped_column(sa.String(16), default=PENDING, index=True)
    progress_current: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int] = mapped_column(default=0)
    progress_message: Mapped[str] = mapped_column(sa.String(500), default="")
    result: Mapped[Any | None] = mapped_column(sa.JSON, default=None)
    error: Mapped[str] = mapped_column(sa.Text, default="")
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("kampus_user.id", ondelete="SET NULL"), index=True, default=None
    )
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    #: The worker process running the task (``host:pid``), while it runs.
    worker: Mapped[str] = mapped_column(sa.String(255), default="")
    #: Last sign of life of that worker for this task (written every ``task_heartbeat_seconds``).
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    #: Someone asked the task to stop: it stops at its next progress report.
    cancel_requested: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    @property
    def finished(self) -> bool:
        return self.state in FINISHED_STATES

    @property
    def percent(self) -> float:
        if self.state == SUCCESS:
            return 100.0
        if not self.progress_total:
            return 0.0
        return min(100.0, 100.0 * self.progress_current / self.progress_total)

    def public_error(self, full: bool) -> str | None:
        """The error as shown: its first line to staff (``full``), a short message to others.

        Only that line: a record written before tracebacks went to the server log only
        may still hold one, and no page or API shows a traceback.
        """
        if not self.error and self.state != FAILURE:
            return None
        first_line = self.error.strip().splitlines()[0] if self.error.strip() else ""
        return (first_line or SHORT_FAILURE_MESSAGE) if full else SHORT_FAILURE_MESSAGE

    def to_json(self, full_error: bool = True) -> dict[str, Any]:
        """The record as the JSON API shows it; ``full_error=False`` hides the error's details."""
        return {
            "id": self.id,
            "name": self.name,
            "task_key": self.task_key,
            "course_id": self.course_id or None,
            "state": self.state,
            "progress": {
                "current": self.progress_current,
                "total": self.progress_total,
                "percent": round(self.percent, 1),
                "message": self.progress_message,
            },
            "result": self.result,
            "error": self.public_error(full_error),
            "user_id": self.user_id,
            "attempts": self.attempts,
            "cancel_requested": bool(self.cancel_requested),
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
        }
