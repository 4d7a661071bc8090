"""Submitting and running recorded tasks (the engine behind :mod:`kampus.tasks.api`).

A plugin's task is a plain function ``func(task, *args, **kwargs)``; ``task`` is
a :class:`TaskContext`. :func:`submit` writes a :class:`TaskRecord` and sends the
Celery message; the worker runs the function inside an app context, records
progress, the result or the error.

Delivery is at least once: tasks are acknowledged late and rejected (so
redelivered) when the worker process dies, hence every task must be
idempotent. The runner makes the common cases safe: a record that already
finished (SUCCESS or FAILURE) is never run again; a record left STARTED by a
worker that died is run again from the start; a message whose record does not
exist is dropped.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import TYPE_CHECKING, Any

from kampus.db import utcnow
from kampus.errors import KampusError, StartupError
from kampus.tasks.models import FAILURE, FINISHED_STATES, PENDING, PROGRESS, STARTED, SUCCESS, TaskRecord

if TYPE_CHECKING:
    from collections.abc import Callable

    from flask import Flask

    from kampus.app import Kampus

log = logging.getLogger(__name__)

#: Longest error text kept on a record: one line, the exception's type and message.
MAX_ERROR = 500


class AlreadyRunningError(KampusError):
    """A task with the same name and key is still pending or running."""

    def __init__(self, record_id: str):
        super().__init__(f"task already running: {record_id}")
        self.record_id = record_id


class UnknownTaskError(KampusError):
    """No enabled plugin provides a task of that name."""


class TaskContext:
    """What a running task sees: its record, app, user, and progress reporting.

    ``attempt`` is 1 on the first run and grows when the message is redelivered
    (after a worker died mid-task); a task can use it to resume or clean up.
    """

    def __init__(self, kampus: Kampus, record: TaskRecord):
        self.kampus = kampus
        self.app: Flask = kampus.app
        self.record_id = record.id
        self.name = record.name
        self.user_id = record.user_id
        self.course_id = record.course_id
        self.key = record.task_key
        self.attempt = record.attempts

    def progress(self, current: int, total: int, message: str = "") -> None:
        """Record progress (committed at once, so pages see it live)."""
        with self.kampus.db.session_scope() as db_session:
            record = db_session.get(TaskRecord, self.record_id)
            if record is None or record.finished:
                return
            record.state = PROGRESS
            record.progress_current = int(current)
            record.progress_total = int(total)
            record.progress_message = str(message)[:500]

    def __repr__(self) -> str:
        return f"<TaskContext {self.name} {self.record_id}>"


def task_name(func: Any) -> str:
    """The registered name of a task function: its ``kampus_task_name``, else ``module.function``."""
    return getattr(func, "kampus_task_name", None) or f"{func.__module__}.{func.__name__}"


def kampus_tasks(kampus: Kampus) -> dict[str, Callable[..., Any]]:
    """The app's task functions by name (Celery's own built-in tasks excluded)."""
    return kampus.celery.kampus_tasks  # type: ignore[union-attr,no-any-return]


def register_task(kampus: Kampus, func: Callable[..., Any]) -> None:
    """Register ``func`` on the app's Celery app, wrapped with its task record."""
    name = task_name(func)
    registry = kampus_tasks(kampus)
    if name in registry and registry[name] is not func:
        raise StartupError(f"two background tasks are named {name!r}: {registry[name]!r} and {func!r}")
    registry[name] = func

    # shared=False: the task belongs to this Celery app only (Celery's default
    # would add it to every Celery app created afterwards in the process).
    @kampus.celery.task(name=name, bind=True, shared=False, acks_late=True, reject_on_worker_lost=True)
    def run(self: Any, record_id: str, args: list[Any], kwargs: dict[str, Any]) -> None:
        with kampus.app.app_context():
            run_recorded(kampus, func, record_id, args, kwargs)


def _error_text(exc: BaseException) -> str:
    """The one line a failed task's record keeps: ``Type: first line of the message``.

    The traceback goes to the server log (``log.exception``) only: it names files,
    code and sometimes data that the task API must not show.
    """
    message = str(exc).strip().splitlines()
    summary = f"{type(exc).__name__}: {message[0]}" if message else type(exc).__name__
    return summary[:MAX_ERROR]


def _finish(kampus: Kampus, record_id: str, **fields: Any) -> None:
    with kampus.db.session_scope() as db_session:
        record = db_session.get(TaskRecord, record_id)
        if record is None:
            return
        for name, value in fields.items():
            setattr(record, name, value)
        if fields.get("state") == SUCCESS and record.progress_total:
            record.progress_current = record.progress_total
        record.finished_at = utcnow()


def run_recorded(
    kampus: Kampus, func: Callable[..., Any], record_id: str, args: list[Any], kwargs: dict[str, Any]
) -> str | None:
    """Run ``func`` for the record ``record_id`` and record its outcome.

    Returns the final state, or ``None`` when the function did not run (no
    such record, or it already finished).
    """
    with kampus.db.session_scope() as db_session:
        record = db_session.get(TaskRecord, record_id)
        if record is None:
            log.warning("task record %s does not exist; message dropped", record_id)
            return None
        if record.state in FINISHED_STATES:
            log.info("task %s already finished (%s); redelivery ignored", record_id, record.state)
            return None
        if record.state != PENDING:
            log.warning("task %s was %s (worker lost?); running it again", record_id, record.state)
        record.state = STARTED
        record.started_at = utcnow()
        record.attempts += 1
        context = TaskContext(kampus, record)
    try:
        result = func(context, *args, **kwargs)
    except Exception as exc:
        log.exception("task %s (%s) failed", record_id, context.name)
        _finish(kampus, record_id, state=FAILURE, error=_error_text(exc))
        return FAILURE
    try:
        result = json.loads(json.dumps(result))
    except (TypeError, ValueError) as exc:
        error = f"TypeError: the result of task {context.name} is not JSON-serialisable ({exc})"
        log.error("task %s: %s", record_id, error)
        _finish(kampus, record_id, state=FAILURE, error=error)
        return FAILURE
    _finish(kampus, record_id, state=SUCCESS, result=result, error="")
    return SUCCESS


def submit(
    kampus: Kampus,
    name: str | Callable[..., Any],
    *args: Any,
    user_id: int | None = None,
    key: str = "",
    course_id: str = "",
    **kwargs: Any,
) -> TaskRecord:
    """Record and send the task ``name`` (or task function); return its record.

    With ``key``, a second submission while one with the same name and key is
    pending or running raises :class:`AlreadyRunningError`. Arguments must be
    JSON-serialisable (``TypeError`` otherwise). With eager Celery (tests) the
    task has run when this returns.
    """
    if not isinstance(name, str):
        name = task_name(name)
    if name not in kampus_tasks(kampus):
        raise UnknownTaskError(f"no task named {name!r}")
    arguments = {"args": list(args), "kwargs": kwargs}
    try:
        arguments = json.loads(json.dumps(arguments))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"arguments of task {name} must be JSON-serialisable: {exc}") from None
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
        db_session.add(
            TaskRecord(
                id=record_id,
                name=name,
                task_key=key,
                course_id=course_id,
                arguments=arguments,
                state=PENDING,
                user_id=user_id,
            )
        )
    try:
        kampus.celery.tasks[name].apply_async(
            args=(record_id, arguments["args"], arguments["kwargs"]), task_id=record_id
        )
    except Exception as exc:
        if not kampus.celery.conf.task_always_eager:
            # The message never left: the record must not block its key forever.
            _finish(kampus, record_id, state=FAILURE,
                    error=f"The task could not be sent to the broker: {_error_text(exc)}")
        raise
    with kampus.db.session_scope() as db_session:
        return db_session.get(TaskRecord, record_id)
