"""Submitting and running recorded tasks (the engine behind :mod:`kampus.tasks.api`).

A plugin's task is a plain function ``func(task, *args, **kwargs)``; ``task`` is
a :class:`TaskContext`. :func:`submit` writes a :class:`TaskRecord` and sends the
Celery message; the worker runs the function inside an app context, records
progress, the result or the error.

Delivery is at least once: tasks are acknowledged late and rejected (so
redelivered) when the worker process dies, hence every task must be
idempotent. The runner makes the common cases safe: a record that already
finished (SUCCESS, FAILURE or CANCELLED) is never run again; a record left
STARTED by a worker that died is run again from the start; a message whose
record does not exist is dropped.

**Which worker runs a task.** A worker process takes a record with a
compare-and-set update (only one of two messages of one record wins), writes
its name on it (``host:pid:token``, the token naming the process's pid
namespace, its start time and a random part, so a reused pid or another
container with the same host name is never taken for it) and, while the task
runs, a heartbeat every ``task_heartbeat_seconds``. Every timestamp of that
protocol is the *database's* clock, so two machines whose clocks differ agree.
A process also keeps the set of records it runs, and drops a second message of
one of them (a broker's redelivery racing a recovery, on another thread of a
``--pool threads`` worker). A second message of a record that a live worker
runs is dropped. A record whose worker is gone (that process no longer exists
on this host and pid namespace, or its heartbeat is older than
``task_stale_after_seconds``, or, on this host, older than ten times that) is
*orphaned*: :func:`recover_orphaned_tasks`, which every worker runs when it
starts and then periodically, sends it again, so a message that a killed
worker took with it (the embedded SQLite broker keeps unacknowledged messages
in the worker's memory) is not lost.

**Fencing.** The context of a run knows its worker and attempt; progress,
heartbeats and the final state are written only while the record still names
that worker and attempt. A worker that was taken for dead and whose record
was run again (a long pause, a network split) gets :class:`TaskLost` at its
next progress report and never overwrites the newer run's state.

**Cancel.** :func:`cancel` finishes a pending record as CANCELLED at once; a
running one is asked to stop and stops (CANCELLED) at its next progress report.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from kampus.db import UTCDateTime, utcnow
from kampus.errors import KampusError, StartupError
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


class TaskCancelled(BaseException):
    """Raised inside a task by :meth:`TaskContext.progress` when someone cancelled it.

    A ``BaseException`` (like ``KeyboardInterrupt``): a task's ``except Exception`` does not swallow it.
    """


class TaskLost(BaseException):
    """Raised inside a task whose record was taken over by another run (this worker was taken for dead).

    The old run must stop and write nothing more: the record belongs to the newer attempt.
    """


class db_utcnow(FunctionElement):
    """The database server's current UTC time (the one clock every worker shares)."""

    type = UTCDateTime()
    inherit_cache = True


@compiles(db_utcnow)
def _db_utcnow_default(_element: Any, _compiler: Any, **_kw: Any) -> str:
    return "CURRENT_TIMESTAMP"


@compiles(db_utcnow, "sqlite")
def _db_utcnow_sqlite(_element: Any, _compiler: Any, **_kw: Any) -> str:
    # the text form SQLAlchemy itself writes (microseconds), so values compare as strings
    return "strftime('%Y-%m-%d %H:%M:%f000', 'now')"


@compiles(db_utcnow, "postgresql")
def _db_utcnow_postgresql(_element: Any, _compiler: Any, **_kw: Any) -> str:
    return "timezone('UTC', statement_timestamp())"


@compiles(db_utcnow, "mysql")
@compiles(db_utcnow, "mariadb")
def _db_utcnow_mysql(_element: Any, _compiler: Any, **_kw: Any) -> str:
    return "UTC_TIMESTAMP(6)"


def database_now(db_session: Any) -> datetime:
    """The database server's current time (UTC, timezone-aware)."""
    value = db_session.scalar(sa.select(db_utcnow()))
    if isinstance(value, str):  # a driver that leaves the text as it is
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


_IDENTITY: dict[int, str] = {}  # pid -> this process's token (a forked child makes its own)


def _process_start(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return "0"


def _pid_namespace() -> str:
    try:
        return os.readlink("/proc/self/ns/pid").rsplit("[", 1)[-1].rstrip("]")
    except OSError:
        return "0"


def worker_name() -> str:
    """This process's name on task records: ``host:pid:namespace-start-random``.

    Unique per process: the pid namespace and the process's start time tell a reused pid or a
    container sharing the host name apart, the random part everything else.
    """
    pid = os.getpid()
    token = _IDENTITY.get(pid)
    if token is None:
        token = _IDENTITY.setdefault(pid, f"{_pid_namespace()}-{_process_start(pid)}-{secrets.token_hex(4)}")
    return f"{socket.gethostname()}:{pid}:{token}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (dead, not yet reaped) is gone too
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, IndexError, OSError):
        return True


#: On this host, a worker whose process exists is still taken for dead when its heartbeat is
#: older than this many times ``task_stale_after_seconds`` (a hung process, a pid reused unseen).
LOCAL_GRACE_FACTOR = 10


def _local_process(worker: str) -> bool | None:
    """Whether the process named ``worker`` exists: ``None`` when this process cannot tell
    (another host or pid namespace, or a name it cannot read)."""
    host, _, rest = worker.partition(":")
    pid, _, token = rest.partition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return None
    if not token:  # an older name (host:pid): only the pid tells
        return _pid_alive(int(pid))
    namespace, _, start = token.partition("-")
    start = start.split("-", 1)[0]
    if namespace != _pid_namespace():
        return None
    return _pid_alive(int(pid)) and _process_start(int(pid)) == start


def worker_alive(kampus: Kampus, record: TaskRecord, now: datetime | None = None) -> bool:
    """Whether the worker that took ``record`` may still run it.

    ``now`` is the database's time (read when not given). A worker of this host and pid namespace
    whose process is gone is dead at once; otherwise its heartbeat (the record's start for a record
    that names no worker) must be younger than ``task_stale_after_seconds`` (ten times that on this
    host when the process exists).
    """
    stale = float(kampus.settings.task_stale_after_seconds)
    local = _local_process(record.worker or "")
    if local is False:
        return False
    if local:
        stale *= LOCAL_GRACE_FACTOR
    last = record.heartbeat_at or record.started_at
    if last is None:
        return False
    if now is None:
        with kampus.db.session_scope() as db_session:
            now = database_now(db_session)
    return now - last < timedelta(seconds=stale)


def _running(kampus: Kampus) -> tuple[threading.Lock, set[str]]:
    """The lock and ids of the records this app's worker runs in this process right now."""
    return kampus.celery.kampus_running  # type: ignore[union-attr,no-any-return]


class TaskContext:
    """What a running task sees: its record, app, user, and progress reporting.

    ``attempt`` is 1 on the first run and grows when the message is redelivered
    (after a worker died mid-task); a task can use it to resume or clean up.
    ``worker`` is the worker that runs this attempt: progress is written only
    while the record still names it and this attempt.
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
        self.worker = record.worker
        #: Set by the heartbeat when the record was taken over: the next progress report stops the task.
        self.lost = threading.Event()

    def _mine(self) -> Any:
        return sa.and_(TaskRecord.id == self.record_id, TaskRecord.worker == self.worker,
                       TaskRecord.attempts == self.attempt)

    def progress(self, current: int, total: int, message: str = "") -> None:
        """Record progress (committed at once, so pages see it live).

        Raises :class:`TaskCancelled` when someone cancelled the task (the runner records it
        CANCELLED), :class:`TaskLost` when another run took the record over.
        """
        with self.kampus.db.session_scope() as db_session:
            record = db_session.get(TaskRecord, self.record_id)
            if record is None:
                raise TaskLost(self.record_id)
            if self.lost.is_set() or record.worker != self.worker or record.attempts != self.attempt \
                    or record.finished:
                raise TaskLost(self.record_id)
            if record.cancel_requested:
                raise TaskCancelled(self.record_id)
            updated = db_session.execute(
                sa.update(TaskRecord).where(self._mine(), TaskRecord.state.in_(RUNNING_STATES))
                .values(state=PROGRESS, progress_current=int(current), progress_total=int(total),
                        progress_message=str(message)[:500], heartbeat_at=db_utcnow())
                .execution_options(synchronize_session=False)).rowcount
            if updated != 1:
                raise TaskLost(self.record_id)

    def cancelled(self) -> bool:
        """Whether someone asked this task to stop (for tasks that check between progress reports)."""
        with self.kampus.db.session_scope() as db_session:
            return bool(db_session.scalar(sa.select(TaskRecord.cancel_requested).where(
                TaskRecord.id == self.record_id)))

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


def _finish(kampus: Kampus, record_id: str, owner: TaskContext | None = None, **fields: Any) -> bool:
    """Write the final ``fields`` of the record; with ``owner``, only while the record still names
    that run's worker and attempt (one compare-and-set update). Returns whether it was written."""
    values: dict[str, Any] = {**fields, "finished_at": db_utcnow()}
    if fields.get("state") == SUCCESS:
        values["progress_current"] = sa.case((TaskRecord.progress_total > 0, TaskRecord.progress_total),
                                             else_=TaskRecord.progress_current)
    condition = TaskRecord.id == record_id
    if owner is not None:
        condition = sa.and_(owner._mine(), TaskRecord.state.in_(RUNNING_STATES))
    with kampus.db.session_scope() as db_session:
        return db_session.execute(
            sa.update(TaskRecord).where(condition).values(**values)
            .execution_options(synchronize_session=False)).rowcount == 1


def _finish_cancelled(kampus: Kampus, record: TaskRecord) -> bool:
    """Finish a running record that someone asked to stop as CANCELLED (compare-and-set on its run)."""
    with kampus.db.session_scope() as db_session:
        return db_session.execute(
            sa.update(TaskRecord)
            .where(TaskRecord.id == record.id, TaskRecord.state == record.state, TaskRecord.worker == record.worker,
                   TaskRecord.attempts == record.attempts)
            .values(state=CANCELLED, worker="", finished_at=db_utcnow())
            .execution_options(synchronize_session=False)).rowcount == 1


def _claim(kampus: Kampus, record_id: str) -> TaskContext | None:
    """Take the record for this worker (compare-and-set); ``None`` when it must not run here."""
    me = worker_name()
    with kampus.db.session_scope() as db_session:
        record = db_session.get(TaskRecord, record_id)
        if record is None:
            log.warning("task record %s does not exist; message dropped", record_id)
            return None
        if record.state in FINISHED_STATES:
            log.info("task %s already finished (%s); redelivery ignored", record_id, record.state)
            return None
        if record.state in RUNNING_STATES:
            if record.worker != me and worker_alive(kampus, record, database_now(db_session)):
                log.info("task %s is running on %s; duplicate message dropped", record_id, record.worker)
                return None
            if record.cancel_requested:
                log.info("task %s was cancelled while its worker was lost; not run again", record_id)
                db_session.expunge(record)
                _finish_cancelled(kampus, record)
                return None
            log.warning("task %s was %s on %s (worker lost); running it again", record_id, record.state,
                        record.worker or "an unknown worker")
        elif record.cancel_requested:
            log.info("task %s was cancelled; message dropped", record_id)
            db_session.expunge(record)
            _finish_cancelled(kampus, record)
            return None
        claimed = db_session.execute(
            sa.update(TaskRecord)
            .where(TaskRecord.id == record_id, TaskRecord.state == record.state, TaskRecord.worker == record.worker,
                   TaskRecord.attempts == record.attempts)
            .values(state=STARTED, started_at=db_utcnow(), heartbeat_at=db_utcnow(), worker=me,
                    attempts=TaskRecord.attempts + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            log.info("task %s was taken by another worker meanwhile; message dropped", record_id)
            return None
    with kampus.db.session_scope() as db_session:
        return TaskContext(kampus, db_session.get(TaskRecord, record_id))


class _Heartbeat:
    """Writes the record's ``heartbeat_at`` every ``interval`` seconds while the task runs.

    It writes only while the record names this run; when it does not any more, it marks the
    context lost (the task stops at its next progress report) and stops beating.
    """

    def __init__(self, context: TaskContext, interval: float):
        self.context, self.interval = context, interval
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"kampus-heartbeat-{context.record_id}",
                                       daemon=True)

    def _run(self) -> None:
        context = self.context
        while not self.stopped.wait(self.interval):
            try:
                with context.kampus.db.session_scope() as db_session:
                    beaten = db_session.execute(sa.update(TaskRecord).where(
                        context._mine(), TaskRecord.state.in_(RUNNING_STATES)).values(heartbeat_at=db_utcnow())
                        .execution_options(synchronize_session=False)).rowcount
            except Exception:  # a missed beat is not fatal; the next one may succeed
                log.warning("heartbeat of task %s failed", context.record_id, exc_info=True)
                continue
            if beaten != 1:
                context.lost.set()
                return

    def __enter__(self) -> _Heartbeat:
        if self.interval > 0:
            self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stopped.set()
        if self.thread.is_alive():
            self.thread.join(5)


def run_recorded(
    kampus: Kampus, func: Callable[..., Any], record_id: str, args: list[Any], kwargs: dict[str, Any]
) -> str | None:
    """Run ``func`` for the record ``record_id`` and record its outcome.

    Returns the final state, or ``None`` when the function did not run (no
    such record, it already finished, a live worker or another thread of this
    process runs it) or when another run took the record over meanwhile.
    """
    lock, running = _running(kampus)
    with lock:
        if record_id in running:
            log.info("task %s is running in this process; duplicate message dropped", record_id)
            return None
        running.add(record_id)
    try:
        return _run_claimed(kampus, func, record_id, args, kwargs)
    finally:
        with lock:
            running.discard(record_id)


def _run_claimed(
    kampus: Kampus, func: Callable[..., Any], record_id: str, args: list[Any], kwargs: dict[str, Any]
) -> str | None:
    context = _claim(kampus, record_id)
    if context is None:
        return None
    outcome: dict[str, Any]
    try:
        with _Heartbeat(context, float(kampus.settings.task_heartbeat_seconds)):
            result = func(context, *args, **kwargs)
    except TaskLost:
        log.warning("task %s (%s) was taken over by another run; this one stops", record_id, context.name)
        return None
    except TaskCancelled:
        log.info("task %s (%s) cancelled", record_id, context.name)
        outcome = {"state": CANCELLED}
    except Exception as exc:
        log.exception("task %s (%s) failed", record_id, context.name)
        outcome = {"state": FAILURE, "error": _error_text(exc)}
    else:
        try:
            outcome = {"state": SUCCESS, "result": json.loads(json.dumps(result)), "error": ""}
        except (TypeError, ValueError) as exc:
            error = f"TypeError: the result of task {context.name} is not JSON-serialisable ({exc})"
            log.error("task %s: %s", record_id, error)
            outcome = {"state": FAILURE, "error": error}
    if not _finish(kampus, record_id, owner=context, worker="", **outcome):
        log.warning("task %s (%s) was taken over by another run; its outcome (%s) is dropped", record_id,
                    context.name, outcome["state"])
        return None
    return outcome["state"]  # type: ignore[no-any-return]


def cancel(kampus: Kampus, record_id: str) -> TaskRecord | None:
    """Cancel the record ``record_id``: a pending one is CANCELLED now (its message is dropped when it
    arrives), a running one stops at its next progress report. A finished one is left as it is.
    Returns the record (``None`` when there is none)."""
    with kampus.db.session_scope() as db_session:
        record = db_session.get(TaskRecord, record_id, with_for_update=True)
        if record is None:
            return None
        if record.state == PENDING:
            record.state = CANCELLED
            record.cancel_requested = True
            record.finished_at = utcnow()
        elif record.state in RUNNING_STATES:
            record.cancel_requested = True
    with kampus.db.session_scope() as db_session:
        return db_session.get(TaskRecord, record_id)


def _send(kampus: Kampus, record_id: str, name: str, arguments: dict[str, Any]) -> None:
    kampus.celery.tasks[name].apply_async(  # type: ignore[union-attr]
        args=(record_id, arguments.get("args", []), arguments.get("kwargs", {})), task_id=record_id)


def recover_orphaned_tasks(kampus: Kampus) -> list[str]:
    """Send again every task whose record says it runs on a worker that is gone; returns their ids.

    Each orphan is put back to PENDING with a compare-and-set on its worker, attempt and heartbeat,
    so of several workers recovering at once only one sends it, and a worker that beat meanwhile
    keeps it. An orphan someone asked to cancel is finished CANCELLED instead.
    """
    recovered = []
    with kampus.db.session_scope() as db_session:
        now = database_now(db_session)
        candidates = list(db_session.scalars(sa.select(TaskRecord).where(TaskRecord.state.in_(RUNNING_STATES))))
        orphans = [(r.id, r.name, r.state, r.worker, r.attempts, r.heartbeat_at, r.cancel_requested,
                    r.arguments or {}) for r in candidates if not worker_alive(kampus, r, now)]
    for record_id, name, state, worker, attempts, heartbeat_at, cancel_requested, arguments in orphans:
        if name not in kampus_tasks(kampus) and not cancel_requested:
            continue
        unchanged = sa.and_(
            TaskRecord.id == record_id, TaskRecord.state == state, TaskRecord.worker == worker,
            TaskRecord.attempts == attempts,
            TaskRecord.heartbeat_at.is_(None) if heartbeat_at is None else TaskRecord.heartbeat_at <= heartbeat_at)
        with kampus.db.session_scope() as db_session:
            if cancel_requested:
                db_session.execute(sa.update(TaskRecord).where(unchanged)
                                   .values(state=CANCELLED, worker="", finished_at=db_utcnow())
                                   .execution_options(synchronize_session=False))
                continue
            taken = db_session.execute(
                sa.update(TaskRecord).where(unchanged).values(state=PENDING, worker="")
                .execution_options(synchronize_session=False)
            ).rowcount
        if taken != 1:
            continue
        log.warning("task %s (%s) was running on %s, which is gone: sending it again", record_id, name,
                    worker or "an unknown worker")
        try:
            _send(kampus, record_id, name, arguments)
        except Exception as exc:
            _finish(kampus, record_id, state=FAILURE,
                    error=f"The task could not be sent to the broker again: {_error_text(exc)}")
            continue
        recovered.append(record_id)
    return recovered


def start_recovery_thread(kampus: Kampus, interval: float | None = None) -> threading.Event:
    """Run :func:`recover_orphaned_tasks` now and every ``interval`` seconds (the setting
    ``task_recovery_interval_seconds``) in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    every = float(kampus.settings.task_recovery_interval_seconds if interval is None else interval)

    def loop() -> None:
        while True:
            try:
                with kampus.app.app_context():
                    recover_orphaned_tasks(kampus)
            except Exception:
                log.exception("recovering orphaned tasks failed")
            if every <= 0 or stop.wait(every):
                return

    threading.Thread(target=loop, name="kampus-task-recovery", daemon=True).start()
    return stop


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
        _send(kampus, record_id, name, arguments)
    except Exception as exc:
        if not kampus.celery.conf.task_always_eager:
            # The message never left: the record must not block its key forever.
            _finish(kampus, record_id, state=FAILURE,
                    error=f"The task could not be sent to the broker: {_error_text(exc)}")
        raise
    with kampus.db.session_scope() as db_session:
        return db_session.get(TaskRecord, record_id)


#: Records deleted by one :func:`prune_finished` statement at most.
PRUNE_BATCH = 500


def prune_finished(kampus: Kampus, name: str, *, keep: int, key: str | None = None,
                   course_id: str | None = None) -> int:
    """Delete the finished records of task ``name`` (of that ``key`` / ``course_id`` when given) but the
    newest ``keep``, at most :data:`PRUNE_BATCH` at a time; returns how many were deleted."""
    if keep < 0:
        raise ValueError("keep must be 0 or more")
    query = sa.select(TaskRecord.id).where(TaskRecord.name == name, TaskRecord.state.in_(FINISHED_STATES))
    if key is not None:
        query = query.where(TaskRecord.task_key == key)
    if course_id is not None:
        query = query.where(TaskRecord.course_id == course_id)
    with kampus.db.session_scope() as db_session:
        old = list(db_session.scalars(
            query.order_by(TaskRecord.created_at.desc(), TaskRecord.id).offset(keep).limit(PRUNE_BATCH)))
        if old:
            db_session.execute(sa.delete(TaskRecord).where(TaskRecord.id.in_(old))
                               .execution_options(synchronize_session=False))
    return len(old)
