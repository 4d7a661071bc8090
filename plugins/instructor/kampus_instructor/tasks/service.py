"""A course's background tasks as the dashboard shows them (Open edX's ``extract_task_features``)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import url_for

from kampus.current import current_kampus
from kampus.db import utcnow
from kampus.identity.models import User
from kampus.tasks.api import FINISHED_STATES, TaskRecord, course_records
from kampus_instructor.reports.api import files_of_tasks

#: Who may cancel a course's tasks (besides the user who started one).
CANCEL_PERMISSION = "instructor.tasks.cancel"


def _duration(record: TaskRecord) -> float | None:
    if record.started_at is None:
        return None
    end = record.finished_at or utcnow()
    return round(max(0.0, (end - record.started_at).total_seconds()), 1)


def task_features(records: list[TaskRecord], *, full_errors: bool) -> list[dict[str, Any]]:
    """The records as the tasks list shows them: Open edX's fields (``task_type``, ``task_input``, ``task_id``,
    ``requester``, ``task_state``, ``created``, ``task_output``, ``duration_sec``, ``task_message``,
    ``status``) plus Kampus's ``progress``, ``error``, ``files`` and ``finished``. Three queries in all."""
    user_ids = sorted({r.user_id for r in records if r.user_id is not None})
    names: dict[int, str] = {}
    if user_ids:
        with current_kampus().db.session_scope() as db_session:
            names = dict(db_session.execute(sa.select(User.id, User.username).where(User.id.in_(user_ids))).all())
    files = files_of_tasks([r.id for r in records])
    features = []
    for record in records:
        data = record.to_json(full_error=full_errors)
        features.append({
            "task_type": record.name,
            "task_input": record.arguments.get("kwargs", {}) if isinstance(record.arguments, dict) else {},
            "task_id": record.id,
            "requester": names.get(record.user_id, "") if record.user_id is not None else "",
            "task_state": record.state,
            "created": data["created_at"],
            "task_output": record.result,
            "duration_sec": _duration(record),
            "task_message": record.progress_message,
            "status": _status(record),
            "progress": data["progress"],
            "error": data["error"],
            "finished": record.state in FINISHED_STATES,
            "cancel_requested": bool(record.cancel_requested),
            "files": [{"name": f.name, "url": url_for("instructor_reports.download", course_id=f.course_id,
                                                       report_id=f.id)} for f in files.get(record.id, [])],
        })
    return features


def _status(record: TaskRecord) -> str:
    return {"PENDING": "Queued", "STARTED": "Running", "PROGRESS": "In progress", "SUCCESS": "Complete",
            "FAILURE": "Failed", "CANCELLED": "Cancelled"}.get(record.state, record.state)


def list_course_tasks(course_id: str, *, running_only: bool, full_errors: bool,
                      limit: int = 100) -> list[dict[str, Any]]:
    """The course's tasks, newest first, as :func:`task_features`."""
    return task_features(course_records(course_id, running_only=running_only, limit=limit), full_errors=full_errors)
