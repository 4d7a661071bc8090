"""Periodic background tasks: the schedule that plugins declare and the workers' scheduler (Open edX's Celery beat).

Plugins declare :class:`~kampus_hookspecs.types.PeriodicTask` entries through ``kampus_periodic_tasks``;
the kernel checks them at start-up (:func:`check_periodic_tasks`: each names a registered task, names are
unique, a crontab parses). Every ``kampus worker`` (so also the embedded worker of ``kampus serve``) runs a
:class:`PeriodicScheduler` thread, unless its setting ``worker_beat`` is false (for one worker, set
``KAMPUS_WORKER_BEAT=false`` in its environment).

**One run per due time, however many workers.** The schedule's state is a row per entry in the table
``kampus_periodic_task`` (its next due time, a run counter). A worker whose clock says an entry is due
claims that due time with a compare-and-set on the counter: of several workers (on one host or many,
on the embedded broker or RabbitMQ) exactly one wins and submits the task; the others see the new due
time. Times are the database's clock, as for task records. The winner submits an ordinary recorded task
(:func:`kampus.tasks.runner.submit`) with the key ``periodic:<name>``: while the previous run of the
entry is still pending or running, the new one is skipped. Delivery stays at least once (a worker lost
mid-task is run again), so periodic tasks must be idempotent. Only the records of an entry's newest
``periodic_task_records_kept`` finished runs are kept (a task every 30 s would fill the table).

A worker that was down runs a missed time once when it comes back, not every time it missed; an entry
whose schedule changed (a new interval, a new crontab) gets its next time from the new schedule, never
later than the time already stored (two workers configured differently cannot keep postponing it).
Operators see the entries, their next and last run with ``kampus periodic-tasks``
(:mod:`kampus.tasks.periodic_command`); ``periodic_tasks_disabled`` switches entries off.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from celery.schedules import crontab_parser
from kampus_hookspecs import PeriodicTask
from sqlalchemy.orm import Mapped, mapped_column

from kampus.db import Base, UTCDateTime
from kampus.errors import StartupError
from kampus.plugins import flatten
from kampus.tasks.runner import AlreadyRunningError, database_now, kampus_tasks, prune_finished, submit

if TYPE_CHECKING:
    from kampus.app import Kampus

log = logging.getLogger(__name__)

#: Where an app keeps its checked entries (``app.extensions``).
EXTENSION_KEY = "kampus.periodic_tasks"
#: Prefix of the task key of a periodic run (a run is skipped while the previous one is not finished).
KEY_PREFIX = "periodic:"
#: Keyword arguments that :func:`~kampus.tasks.runner.submit` keeps for itself.
RESERVED_KWARGS = frozenset({"user_id", "key", "course_id"})
#: Longest sleep of the scheduler between two looks at the table (another worker may change it).
MAX_SLEEP_SECONDS = 30.0
#: Shortest sleep, so that a clock a little behind the database's does not spin.
MIN_SLEEP_SECONDS = 0.05
#: Crontab fields: (name, lowest value, how many values).
CRON_FIELDS = (("minute", 0, 60), ("hour", 0, 24), ("day of month", 1, 31), ("month", 1, 12),
               ("day of week", 0, 7))
#: How far ahead a crontab's next time is looked for (covers 29 February).
CRON_HORIZON_DAYS = 366 * 8


class PeriodicTaskState(Base):
    """Where an entry of the schedule stands: its next due time, shared by every worker of the site."""

    __tablename__ = "kampus_periodic_task"

    name: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    #: The schedule the due time was computed from (:func:`schedule_text`).
    schedule: Mapped[str] = mapped_column(sa.String(255))
    next_run_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True, default=None)
    #: Due times claimed so far: the compare-and-set that lets one worker only claim each one.
    runs: Mapped[int] = mapped_column(default=0)
    #: What the last claimed run did: the id of the task record it submitted, or why none.
    last_outcome: Mapped[str] = mapped_column(sa.String(500), default="")


@dataclass(frozen=True)
class Crontab:
    """A parsed crontab: the sets of minutes, hours, days of month, months and days of week (0 is Sunday)
    that match. A time matches when every field matches (as Celery's ``crontab``)."""

    text: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]

    def matches_day(self, day: datetime) -> bool:
        return (day.month in self.months and day.day in self.days
                and (day.weekday() + 1) % 7 in self.weekdays)


def parse_crontab(text: str) -> Crontab:
    """Parse ``"minute hour day-of-month month day-of-week"``; ``ValueError`` names what is wrong."""
    fields = text.split()
    if len(fields) != 5:
        raise ValueError(f"crontab {text!r} must have five fields (minute hour day-of-month month day-of-week)")
    values = []
    for spec, (label, lowest, count) in zip(fields, CRON_FIELDS, strict=True):
        try:
            parsed = crontab_parser(count, lowest).parse(spec.lower())
        except (ValueError, TypeError, IndexError) as exc:  # Celery's ParseException is a ValueError
            raise ValueError(f"crontab {text!r}: bad {label} {spec!r} ({exc})") from None
        if not parsed:
            raise ValueError(f"crontab {text!r}: the {label} {spec!r} matches nothing")
        values.append(frozenset(parsed))
    cron = Crontab(" ".join(fields), *values)
    if not any(cron.matches_day(datetime(2000 + year, month, 1, tzinfo=UTC) + timedelta(days=day))
               for year in range(8) for month in cron.months for day in range(31)):
        raise ValueError(f"crontab {text!r} never matches a day")
    return cron


def next_crontab_time(cron: Crontab, after: datetime) -> datetime:
    """The first time strictly after ``after`` (UTC, whole minutes) that ``cron`` matches."""
    start = after.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
    day = start.replace(hour=0, minute=0)
    for _ in range(CRON_HORIZON_DAYS):
        if cron.matches_day(day):
            for hour in sorted(cron.hours):
                for minute in sorted(cron.minutes):
                    candidate = day.replace(hour=hour, minute=minute)
                    if candidate >= start:
                        return candidate
        day += timedelta(days=1)
    raise ValueError(f"crontab {cron.text!r} has no time in the next {CRON_HORIZON_DAYS} days")


def schedule_text(entry: PeriodicTask) -> str:
    """The entry's schedule in words: ``every 30s`` or ``crontab 0 6 * * *``."""
    if entry.every_seconds is not None:
        return f"every {entry.every_seconds:g}s"
    return f"crontab {' '.join((entry.crontab or '').split())}"


def first_run(entry: PeriodicTask, now: datetime) -> datetime:
    """When an entry seen for the first time (or whose schedule changed) at ``now`` first runs."""
    if entry.every_seconds is not None:
        return now + timedelta(seconds=entry.every_seconds)
    return next_crontab_time(parse_crontab(entry.crontab or ""), now)


def next_run(entry: PeriodicTask, due: datetime, now: datetime) -> datetime:
    """The due time after the run due at ``due`` and run at ``now``: the interval's next step after
    ``now`` (its cadence kept, missed steps skipped), or the crontab's next time after ``now``."""
    if entry.every_seconds is not None:
        step = timedelta(seconds=entry.every_seconds)
        missed = max(0, int((now - due) / step))
        following = due + step * (missed + 1)
        return following if following > now else following + step
    return next_crontab_time(parse_crontab(entry.crontab or ""), now)


def check_periodic_tasks(kampus: Kampus) -> list[PeriodicTask]:
    """Collect the entries of ``kampus_periodic_tasks`` and check them; a wrong one raises
    :class:`StartupError`. The entries are kept in ``app.extensions`` (see :func:`periodic_tasks`)."""
    entries: list[PeriodicTask] = []
    names: set[str] = set()
    tasks = kampus_tasks(kampus)
    for entry in flatten(kampus.hook.kampus_periodic_tasks()):
        if not isinstance(entry, PeriodicTask):
            raise StartupError(f"kampus_periodic_tasks returned {entry!r}, not a kampus_hookspecs.PeriodicTask")
        if entry.name in names:
            raise StartupError(f"two periodic tasks are named {entry.name!r}")
        if entry.task not in tasks:
            raise StartupError(f"periodic task {entry.name!r} runs {entry.task!r}, which no enabled plugin "
                               "registers through kampus_celery_tasks")
        reserved = RESERVED_KWARGS & set(entry.kwargs)
        if reserved:
            raise StartupError(f"periodic task {entry.name!r}: keyword arguments {sorted(reserved)} are reserved")
        try:
            json.dumps([list(entry.args), entry.kwargs])
        except (TypeError, ValueError) as exc:
            raise StartupError(f"periodic task {entry.name!r}: arguments are not JSON-serialisable ({exc})") from None
        if entry.crontab is not None:
            try:
                parse_crontab(entry.crontab)
            except ValueError as exc:
                raise StartupError(f"periodic task {entry.name!r}: {exc}") from None
        names.add(entry.name)
        entries.append(entry)
    kampus.app.extensions[EXTENSION_KEY] = entries
    return entries


def periodic_tasks(kampus: Kampus) -> list[PeriodicTask]:
    """The app's checked entries, in the order the plugins declared them."""
    entries = kampus.app.extensions.get(EXTENSION_KEY)
    return entries if entries is not None else check_periodic_tasks(kampus)


def enabled_periodic_tasks(kampus: Kampus) -> list[PeriodicTask]:
    """The entries the site runs: all but those named in the setting ``periodic_tasks_disabled``."""
    disabled = set(kampus.settings.periodic_tasks_disabled)
    return [entry for entry in periodic_tasks(kampus) if entry.name not in disabled]


class PeriodicScheduler:
    """Claims and submits the due runs of an app's periodic tasks; :meth:`run` is a worker's thread."""

    def __init__(self, kampus: Kampus, entries: list[PeriodicTask] | None = None):
        self.kampus = kampus
        self.entries = enabled_periodic_tasks(kampus) if entries is None else entries
        self.stopped = threading.Event()

    def tick(self, now: datetime | None = None) -> tuple[list[str], float]:
        """One look at the schedule at ``now`` (the database's time when not given).

        Returns the names of the entries whose run this call claimed, and how many seconds remain
        until the next due time it knows of.
        """
        names = [entry.name for entry in self.entries]
        with self.kampus.db.session_scope() as db_session:
            if now is None:
                now = database_now(db_session)
            rows = {row.name: (row.schedule, row.next_run_at, row.runs) for row in db_session.scalars(
                sa.select(PeriodicTaskState).where(PeriodicTaskState.name.in_(names)))} if names else {}
        claimed: list[str] = []
        upcoming: list[datetime] = []
        for entry in self.entries:
            schedule = schedule_text(entry)
            row = rows.get(entry.name)
            if row is None:
                upcoming.append(self._start(entry, schedule, now))
                continue
            stored, due, runs = row
            if stored != schedule and due > now:
                # a new schedule: its first time, but never later than the stored one (two workers
                # configured differently must not keep pushing the run away from each other)
                upcoming.append(self._reschedule(entry, schedule, runs, min(due, first_run(entry, now))))
                continue
            if due > now:
                upcoming.append(due)
                continue
            following = next_run(entry, due, now) if stored == schedule else first_run(entry, now)
            upcoming.append(following)
            if self._claim(entry, schedule, runs, following, now):
                claimed.append(entry.name)
                self._submit(entry)
        wait = min(((when - now).total_seconds() for when in upcoming), default=MAX_SLEEP_SECONDS)
        return claimed, min(MAX_SLEEP_SECONDS, max(MIN_SLEEP_SECONDS, wait))

    def _start(self, entry: PeriodicTask, schedule: str, now: datetime) -> datetime:
        """Give an entry seen for the first time its first due time; returns it."""
        first = first_run(entry, now)
        try:
            with self.kampus.db.session_scope() as db_session:
                db_session.add(PeriodicTaskState(name=entry.name, schedule=schedule, next_run_at=first, runs=0))
        except sa.exc.IntegrityError:
            log.debug("periodic task %s was added by another worker meanwhile", entry.name)
        return first

    def _reschedule(self, entry: PeriodicTask, schedule: str, runs: int, following: datetime) -> datetime:
        """Store the entry's new schedule and next due time (unless another worker claimed a run meanwhile)."""
        with self.kampus.db.session_scope() as db_session:
            db_session.execute(
                sa.update(PeriodicTaskState)
                .where(PeriodicTaskState.name == entry.name, PeriodicTaskState.runs == runs)
                .values(schedule=schedule, next_run_at=following)
                .execution_options(synchronize_session=False))
        return following

    def _claim(self, entry: PeriodicTask, schedule: str, runs: int, following: datetime, now: datetime) -> bool:
        with self.kampus.db.session_scope() as db_session:
            return db_session.execute(
                sa.update(PeriodicTaskState)
                .where(PeriodicTaskState.name == entry.name, PeriodicTaskState.runs == runs)
                .values(runs=runs + 1, schedule=schedule, next_run_at=following, last_run_at=now)
                .execution_options(synchronize_session=False)).rowcount == 1

    def _submit(self, entry: PeriodicTask) -> None:
        try:
            record = submit(self.kampus, entry.task, *entry.args, key=KEY_PREFIX + entry.name, **entry.kwargs)
            outcome = f"submitted task {record.id}"
        except AlreadyRunningError as exc:
            log.info("periodic task %s skipped: its previous run %s is not finished", entry.name, exc.record_id)
            outcome = f"skipped: the previous run {exc.record_id} was not finished"
        except Exception as exc:
            log.exception("periodic task %s could not be submitted", entry.name)
            outcome = f"not submitted: {type(exc).__name__}: {exc}"
        with self.kampus.db.session_scope() as db_session:
            db_session.execute(sa.update(PeriodicTaskState).where(PeriodicTaskState.name == entry.name)
                               .values(last_outcome=outcome[:500]).execution_options(synchronize_session=False))
        self._prune(entry)

    def _prune(self, entry: PeriodicTask) -> None:
        """Delete the records of the entry's finished runs but the newest ``periodic_task_records_kept``."""
        keep = int(self.kampus.settings.periodic_task_records_kept)
        if keep > 0:
            prune_finished(self.kampus, entry.task, keep=keep, key=KEY_PREFIX + entry.name)

    def run(self) -> None:
        """Tick until :attr:`stopped` is set (a failed tick is logged and tried again)."""
        while not self.stopped.is_set():
            wait = MAX_SLEEP_SECONDS
            try:
                with self.kampus.app.app_context():
                    _claimed, wait = self.tick()
            except Exception:
                log.exception("the periodic-task scheduler failed; trying again")
                wait = min(wait, 5.0)
            self.stopped.wait(wait)

    def start(self) -> PeriodicScheduler:
        """Run :meth:`run` in a daemon thread; returns ``self`` (set :attr:`stopped` to stop it)."""
        threading.Thread(target=self.run, name="kampus-periodic-tasks", daemon=True).start()
        return self


def start_beat(kampus: Kampus) -> PeriodicScheduler | None:
    """Start the scheduler thread of a worker of ``kampus``, unless ``worker_beat`` is false or no
    periodic task is enabled; returns it."""
    if not kampus.settings.worker_beat:
        log.info("periodic tasks: worker_beat is false, this worker schedules none")
        return None
    scheduler = PeriodicScheduler(kampus)
    if not scheduler.entries:
        return None
    log.info("periodic tasks: scheduling %s", ", ".join(entry.name for entry in scheduler.entries))
    return scheduler.start()


def describe(kampus: Kampus) -> list[dict[str, Any]]:
    """Every declared entry with its schedule, state and next run (ISO 8601 UTC), for operators."""
    disabled = set(kampus.settings.periodic_tasks_disabled)
    entries = periodic_tasks(kampus)
    with kampus.db.session_scope() as db_session:
        now = database_now(db_session)
        rows = {row.name: row for row in db_session.scalars(sa.select(PeriodicTaskState))}
        described = []
        for entry in entries:
            schedule = schedule_text(entry)
            row = rows.get(entry.name)
            enabled = entry.name not in disabled
            if not enabled:
                next_run_at = None
            elif row is not None and row.schedule == schedule:
                next_run_at = row.next_run_at
            else:  # not seen by a worker yet (or its schedule changed): what a worker would give it now
                next_run_at = first_run(entry, now)
            described.append({
                "name": entry.name,
                "task": entry.task,
                "schedule": schedule,
                "enabled": enabled,
                "next_run_at": next_run_at.isoformat() if next_run_at else None,
                "last_run_at": row.last_run_at.isoformat() if row is not None and row.last_run_at else None,
                "runs": row.runs if row is not None else 0,
                "last_outcome": row.last_outcome if row is not None else "",
            })
    return described
