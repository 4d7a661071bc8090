"""The public API of background work, for plugins.

A plugin contributes tasks through the ``kampus_celery_tasks`` hook: plain
functions ``func(task, *args, **kwargs)`` where ``task`` is a
:class:`TaskContext`. A task must be idempotent (it may run again after a
worker died mid-task), take and return JSON-serialisable values, and report
progress with ``task.progress(current, total, message)``::

    from kampus.tasks.api import TaskContext, startable_with, submit, task_name

    @task_name("grades.report")
    @startable_with("grades.run_report")  # course staff may start it from the task API
    def grade_report(task: TaskContext) -> dict:
        rows = ...  # of the course task.course_id
        for i, row in enumerate(rows):
            task.progress(i, len(rows), "Grading")
        return {"rows": len(rows)}

    @hookimpl
    def kampus_celery_tasks():
        return [grade_report]

    # in a view:
    record = submit("grades.report", user_id=current_user.id, key=course_id, course_id=course_id)
    return redirect(url_for("tasks.task_page", task_id=record.id))

A task marked :func:`startable_with` can also be started by any user holding
the permission (in the course they name) through ``POST /api/tasks/v1/tasks/``
with ``{"name": ..., "course_id": ..., "kwargs": {...}}``; the task reads the
checked course as ``task.course_id``. Other tasks are started by the plugin's
own code only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, overload

import sqlalchemy as sa

from kampus.current import current_kampus
from kampus.tasks import access, runner
from kampus.tasks.models import (
    CANCELLED,
    FAILURE,
    FINISHED_STATES,
    PENDING,
    PROGRESS,
    RUNNING_STATES,
    STARTED,
    SUCCESS,
    TaskRecord,
)
from kampus.tasks.runner import AlreadyRunningError, TaskCancelled, TaskContext, TaskLost, UnknownTaskError

F = TypeVar("F", bound=Callable[..., Any])


@overload
def task_name(name_or_func: str) -> Callable[[F], F]: ...
@overload
def task_name(name_or_func: Callable[..., Any]) -> str: ...


def task_name(name_or_func: str | Callable[..., Any]) -> Callable[[F], F] | str:
    """Name a task, or read a task's name.

    ``@task_name("forums.reindex")`` sets the registered name of the decorated
    function (its ``kampus_task_name`` attribute); ``task_name(func)`` returns
    the name a function is registered under (``module.function`` by default).
    """
    if isinstance(name_or_func, str):
        name = name_or_func

        def decorate(func: F) -> F:
            func.kampus_task_name = name  # type: ignore[attr-defined]
            return func

        return decorate
    return runner.task_name(name_or_func)


def startable_with(permission: str) -> Callable[[F], F]:
    """Let users holding ``permission`` start the decorated task through the kernel's task API.

    ``permission`` is declared through ``kampus_permissions`` (by this plugin or
    another; an undeclared one stops start-up). It is checked in the course the
    request names (``course_id``), or site-wide when it names none; global staff
    hold every permission. Users who may start a task in a course also see that
    course's records of it.
    """

    def decorate(func: F) -> F:
        setattr(func, access.PERMISSION_ATTRIBUTE, permission)
        return func

    return decorate


def startable_tasks(user: Any, course_id: str | None = None) -> list[str]:
    """Names of the current app's tasks that ``user`` may start (in ``course_id``)."""
    return access.startable_tasks(current_kampus(), user, course_id)


def submit(
    name: str | Callable[..., Any],
    *args: Any,
    user_id: int | None = None,
    key: str = "",
    course_id: str = "",
    **kwargs: Any,
) -> TaskRecord:
    """Record and send a task of the current app; return its :class:`TaskRecord`.

    ``name`` is a registered task name or the task function itself; ``args``
    and ``kwargs`` go to the function (JSON-serialisable; ``user_id``, ``key``
    and ``course_id`` are the submission's own). ``user_id`` is who started it
    (they may watch its page). With ``key``, submitting again while one of the
    same name and key is pending or running raises :class:`AlreadyRunningError`
    (its ``record_id`` is the running one). Raises :class:`UnknownTaskError`
    when no enabled plugin provides the task.
    """
    return runner.submit(current_kampus(), name, *args, user_id=user_id, key=key, course_id=course_id, **kwargs)


def get_record(record_id: str) -> TaskRecord | None:
    """The task record ``record_id`` of the current app, or ``None``."""
    with current_kampus().db.session_scope() as db_session:
        return db_session.get(TaskRecord, record_id)


def cancel(record_id: str) -> TaskRecord | None:
    """Cancel the task record ``record_id`` of the current app (``None`` when there is none).

    A pending task is CANCELLED at once and never runs; a running one is asked to stop and is
    recorded CANCELLED at its next ``task.progress(...)`` (which raises :class:`TaskCancelled`
    inside it); a finished one is left as it is. Checking who may cancel is the caller's job.
    """
    return runner.cancel(current_kampus(), record_id)


def course_records(course_id: str, *, running_only: bool = False, limit: int = 100) -> list[TaskRecord]:
    """The current app's task records of ``course_id``, newest first (at most ``limit``); only those
    not finished with ``running_only``. The records are detached (read their attributes freely)."""
    query = sa.select(TaskRecord).where(TaskRecord.course_id == course_id)
    if running_only:
        query = query.where(TaskRecord.state.notin_(FINISHED_STATES))
    query = query.order_by(TaskRecord.created_at.desc(), TaskRecord.id).limit(limit)
    with current_kampus().db.session_scope() as db_session:
        records = list(db_session.scalars(query))
        db_session.expunge_all()
    return records


def prune_finished(name: str, *, keep: int, key: str | None = None, course_id: str | None = None) -> int:
    """Delete the current app's finished records of task ``name`` (of that ``key`` / ``course_id`` when
    given) but the newest ``keep``; returns how many were deleted. For tasks submitted often (one per
    edit), so that their records do not pile up."""
    return runner.prune_finished(current_kampus(), name, keep=keep, key=key, course_id=course_id)


def recover_orphaned_tasks() -> list[str]:
    """Send again the current app's tasks left running by a worker that is gone; their ids.

    Workers run this when they start and every ``task_recovery_interval_seconds``.
    """
    return runner.recover_orphaned_tasks(current_kampus())


def task_names() -> list[str]:
    """Names of the tasks the current app can run."""
    return sorted(runner.kampus_tasks(current_kampus()))


__all__ = [
    "CANCELLED",
    "FAILURE",
    "FINISHED_STATES",
    "PENDING",
    "PROGRESS",
    "RUNNING_STATES",
    "STARTED",
    "SUCCESS",
    "AlreadyRunningError",
    "TaskCancelled",
    "TaskContext",
    "TaskLost",
    "TaskRecord",
    "UnknownTaskError",
    "cancel",
    "course_records",
    "get_record",
    "prune_finished",
    "recover_orphaned_tasks",
    "startable_tasks",
    "startable_with",
    "submit",
    "task_name",
    "task_names",
]
