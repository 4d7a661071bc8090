"""Submitting and running recorded tasks.

A plugin's task is a plain function ``func(task, *args, **kwargs)``; ``task`` is
a :class:`TaskContext`. :func:`submit` writes a :class:`TaskRecord` and sends the
Celery message; the worker runs the function inside an app context, records
progress, the result or the error. Tasks are acknowledged late, so a worker
that dies mid-task leaves the message to be redelivered; a record that already
finished is not run again (idempotence).
"""

from __future__ import annotations

import logging
import traceback
import uuid
from typing import TYPE_CHECKING, Any

from kampus.db import utcnow
from kampus.errors import KampusError
from kampus.tasks.models import FAILURE, FINISHED_STATES, PENDING, PROGRESS, STARTED, SUCCESS, TaskRecord

if TYPE_CHECKING:
    from collections.abc import Callable

    from kampus.app import Kampus

log = logging.getLogger(__name__)


class AlreadyRunningError(KampusError):
    """A task with the same name and key is still pending or running."""

    def __init__(self, record_id: str):
        super().__init__(f"task already running: {record_id}")
        self.record_id = record_id


class UnknownTaskError(KampusError):
    """No enabled plugin provides a task of that name."""


class TaskContext:
    """What a running task sees: its record id, app, user, and progress reporting."""

    def __init__(self, kampus: Kampus, record_id: str, user_id: int | None):
        self.kampus = kampus
        self.app = kampus.app
        self.record_id = record_id
        self.user_id = user_id

    def progress(self, current: int, total: int, message: str = "") -> None:
        """Record progress (committed at once, so pages see it live)."""
        with self.kampus.db.session_scope() as db_session:
            record = db_session.get(TaskRecord, self.record_id)
            if record is None:
                return
            record.state = PROGRESS
            record.progress_current = int(current)
            record.progress_total = int(total)
            record.progress_message = message[:500]


def register_task(kampus: Kampus, func: Callable[..., Any]) -> None:
    """Register ``func`` on the app's Celery app, wrapped with its task record."""
    from kampus.tasks.celery_app import task_name

    name = task_name(func)

    @kampus.celery.task(name=name, bind=True, acks_late=True, reject_on_worker_lost=True)
    def run(self: Any, record_id: str, args: list[Any], kwargs: dict[str, Any]) -> None:
        with kampus.app.app_context():
            run_recorded(kampus, func, record_id, args, kwargs)


def run_recorded(
    kampus: Kampus, func: Callable[..., Any], record_id: str, args: list[Any], kwargs: dict[str, Any]
) -> None:
    """Run ``func`` for the record ``record_id``, recording its outcome."""
    with kampus.db.session_scope() as db_session:
        record = db_session.get(TaskRecord, record_id)
        if record is None:
            log.warning("task record %s does not exist; message dropped", record_id)
            return
        if record.state in FINISHED_STATES:
            log.info("task %s already finished (%s); redelivery ignored", record_id, record.state)
            return
        record.state = STARTED
        record.started_at = utcnow()
        record.attempts += 1
        user_id = record.user_id
    context = TaskContext(kampus, record_id, user_id)
    try:
        result = func(context, *args, **kwargs)
    except Exception as exc:
        log.exception("task %s (%s) failed", record_id, func)
        with kampus.db.session_scope() as db_session:
            record = db_session.get(TaskRecord, record_id)
            record.state = FAILURE
            record.error = f"{type(exc).__name__}: {exc}\n\n{traceback.format_exc()}"[:20000]
            record.finished_at = utcnow()
        return
    with kampus.db.session_scope() as db_session:
        record = db_session.get(TaskRecord, record_id)
        record.state = SUCCESS
        record.result = result
        if record.progress_total:
            record.progress_current = record.progress_total
        record.finished_at = utcnow()


def submit(
    kampus: Kampus,
    name: str,
    *args: Any,
    user_id: int | None = None,
    key: str = "",
    course_id: str = "",
    **kwargs: Any,
) -> TaskRecord:
    """Record and send the task ``name``; return its record.

    With ``key``, a second submission while one with the same name and key is
    pending or running raises :class:`AlreadyRunningError`.
    """
    if name not in kampus.celery.tasks:
        raise UnknownTaskError(f"no task named {name!r}")
    record_id = str(uuid.uuid4())
    with kampus.db.session_scope() as db_session:
        if key:
            running = (
                db_session.query(TaskRecord.id)
                .filter(TaskRecord.name == name, TaskRecord.task_key == key)
                .filter(TaskRecord.state.notin_(FINISHED_STATES))
                .first()
            )
            if running is not None:
                raise AlreadyRunningError(running.id)
        record = TaskRecord(
            id=record_id,
            name=name,
            task_key=key,
            course_id=course_id,
            arguments={"args": list(args), "kwargs": kwargs},
            state=PENDING,
            user_id=user_id,
        )
        db_session.add(record)
    kampus.celery.tasks[name].apply_async(args=(record_id, list(args), kwargs), task_id=record_id)
    with kampus.db.session_scope() as db_session:
        return db_session.get(TaskRecord, record_id)
