"""Periodic tasks (``kampus_periodic_tasks``): the schedule's arithmetic, the start-up checks, a worker's
scheduler running a declared task on its schedule, one run per due time with several workers, and
``kampus periodic-tasks``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from kampus_hookspecs import PeriodicTask, hookimpl

from kampus import cli
from kampus.app import create_app
from kampus.db.migrate import upgrade
from kampus.errors import StartupError
from kampus.settings import read_raw_settings
from kampus.tasks import periodic_command
from kampus.tasks.models import STARTED, SUCCESS, TaskRecord
from kampus.tasks.periodic import (
    KEY_PREFIX,
    PeriodicScheduler,
    PeriodicTaskState,
    describe,
    next_crontab_time,
    next_run,
    parse_crontab,
    start_beat,
)

from .conftest import RUNS, SamplePlugin, wait_for


class PeriodicPlugin:
    """A plugin that declares the periodic tasks it is given (its tasks come from ``SamplePlugin``)."""

    def __init__(self, *entries: PeriodicTask):
        self.entries = list(entries)

    @hookimpl
    def kampus_periodic_tasks(self) -> list[PeriodicTask]:
        return self.entries


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# --- the schedule's arithmetic -------------------------------------------------------------------------


@pytest.mark.parametrize(("crontab", "after", "expected"), [
    ("0 6 * * *", "2026-12-06 05:59:59", "2026-12-06 06:00"),
    ("0 6 * * *", "2026-12-06 06:00", "2026-12-07 06:00"),  # strictly after
    ("*/15 * * * *", "2026-12-06 19:15:30", "2026-12-06 19:30"),
    ("30 7 * * mon", "2026-12-06 19:00", "2026-12-07 07:30"),  # 6 December 2026 is a Sunday
    ("0 9 * * 1-5", "2026-12-11 10:00", "2026-12-14 09:00"),  # Friday after nine: Monday
    ("0 0 1 */3 *", "2026-12-06 00:00", "2027-01-01 00:00"),
    ("0 0 29 2 *", "2026-03-01 00:00", "2028-02-29 00:00"),  # the next leap day
    ("5 4 * * sun", "2026-12-31 23:59", "2027-01-03 04:05"),  # across a year
    ("59 23 31 12 *", "2026-12-31 23:58", "2026-12-31 23:59"),
])
def test_next_crontab_time(crontab: str, after: str, expected: str) -> None:
    assert next_crontab_time(parse_crontab(crontab), at(after)) == at(expected)


@pytest.mark.parametrize(("crontab", "problem"), [
    ("0 6 * *", "five fields"),
    ("61 * * * *", "bad minute"),
    ("0 24 * * *", "bad hour"),
    ("0 0 0 * *", "bad day of month"),
    ("0 0 * 13 *", "bad month"),
    ("0 0 * * 7", "bad day of week"),
    ("0 0 * * funday", "bad day of week"),
    ("*/0 * * * *", "bad minute"),
    ("0 0 31 2 *", "never matches a day"),
])
def test_bad_crontabs_are_refused(crontab: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_crontab(crontab)


def test_an_interval_keeps_its_cadence_and_runs_a_missed_time_once() -> None:
    entry = PeriodicTask("x", "sample.add", every_seconds=60)
    due = at("2026-12-06 10:00")
    assert next_run(entry, due, due + timedelta(seconds=2)) == at("2026-12-06 10:01")
    # a worker down for an hour and a half: one run now, the next on the old cadence
    assert next_run(entry, due, at("2026-12-06 11:30:20")) == at("2026-12-06 11:31")
    assert next_run(PeriodicTask("y", "sample.add", crontab="0 * * * *"), due, at("2026-12-06 11:30")) \
        == at("2026-12-06 12:00")


@pytest.mark.parametrize(("fields", "problem"), [
    ({}, "exactly one"),
    ({"every_seconds": 5, "crontab": "* * * * *"}, "exactly one"),
    ({"every_seconds": 0}, "positive"),
    ({"crontab": "* * *"}, "five fields"),
])
def test_a_periodic_task_has_one_schedule(fields: dict, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        PeriodicTask("sample.p", "sample.add", **fields)


# --- start-up checks -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("entries", "problem"), [
    ([PeriodicTask("p", "sample.nope", every_seconds=1)], "'sample.nope', which no enabled plugin registers"),
    ([PeriodicTask("p", "sample.add", every_seconds=1), PeriodicTask("p", "sample.add", every_seconds=2)],
     "two periodic tasks are named 'p'"),
    ([PeriodicTask("p", "sample.add", crontab="0 0 30 2 *")], "never matches"),
    ([PeriodicTask("p", "sample.add", every_seconds=1, kwargs={"key": "k"})], "reserved"),
    ([PeriodicTask("p", "sample.add", every_seconds=1, args=(object(),))], "JSON"),
    (["not an entry"], "not a kampus_hookspecs.PeriodicTask"),
])
def test_a_wrong_entry_stops_start_up(make_app, entries: list, problem: str) -> None:
    with pytest.raises(StartupError, match=problem):
        make_app(plugins=[SamplePlugin(), PeriodicPlugin(*entries)])


# --- the scheduler -------------------------------------------------------------------------------------


def periodic_records(app, entry_name: str) -> list[TaskRecord]:
    with app.extensions["kampus"].db.session_scope() as db_session:
        records = list(db_session.scalars(
            sa.select(TaskRecord).where(TaskRecord.task_key == KEY_PREFIX + entry_name)
            .order_by(TaskRecord.created_at)))
        db_session.expunge_all()
    return records


def test_a_declared_task_runs_on_its_schedule_in_a_worker(make_app) -> None:
    token = uuid.uuid4().hex
    entry = PeriodicTask("sample.every_second", "sample.counted", every_seconds=1, kwargs={"token": token})
    app = make_app(plugins=[SamplePlugin(), PeriodicPlugin(entry)], celery="real")
    kampus = app.extensions["kampus"]
    scheduler = start_beat(kampus)
    assert scheduler is not None and scheduler.entries == [entry]
    started = time.monotonic()
    try:
        wait_for(lambda: RUNS[token] >= 3, timeout=30)
    finally:
        scheduler.stopped.set()
    assert time.monotonic() - started >= 2.5  # the first run one interval after the start, then every second
    records = wait_for(lambda: [r for r in periodic_records(app, entry.name) if r.state == SUCCESS][:3] or None)
    assert all(r.name == "sample.counted" and r.user_id is None and r.arguments["kwargs"] == {"token": token}
               for r in records)
    gaps = [(b.created_at - a.created_at).total_seconds() for a, b in zip(records, records[1:], strict=False)]
    assert all(0.8 < gap < 5 for gap in gaps), gaps
    with kampus.db.session_scope() as db_session:
        state = db_session.get(PeriodicTaskState, entry.name)
        assert state.runs >= 3 and state.schedule == "every 1s"
        assert state.last_outcome.startswith("submitted task ")


def test_each_due_time_is_claimed_by_one_scheduler_only(make_app) -> None:
    token = uuid.uuid4().hex
    entry = PeriodicTask("sample.once", "sample.counted", every_seconds=60, kwargs={"token": token})
    app = make_app(plugins=[SamplePlugin(), PeriodicPlugin(entry)])
    kampus = app.extensions["kampus"]
    first, second = PeriodicScheduler(kampus), PeriodicScheduler(kampus)  # two workers of one site
    now = at("2026-12-06 10:00")
    assert first.tick(now) == ([], 30)  # seen for the first time: due one interval later (a look every 30 s)
    assert second.tick(now + timedelta(seconds=50)) == ([], 10)
    due = now + timedelta(seconds=61)
    assert first.tick(due) == (["sample.once"], 30)
    assert second.tick(due) == ([], 30)  # the same due time: already claimed
    assert RUNS[token] == 1
    assert second.tick(due + timedelta(seconds=60))[0] == ["sample.once"]
    assert first.tick(due + timedelta(seconds=60))[0] == []
    assert RUNS[token] == 2 and len(periodic_records(app, entry.name)) == 2


def test_a_run_is_skipped_while_the_previous_one_is_not_finished(make_app) -> None:
    token = uuid.uuid4().hex
    entry = PeriodicTask("sample.slow", "sample.counted", every_seconds=10, kwargs={"token": token})
    app = make_app(plugins=[SamplePlugin(), PeriodicPlugin(entry)])
    kampus = app.extensions["kampus"]
    with kampus.db.session_scope() as db_session:
        db_session.add(TaskRecord(id=str(uuid.uuid4()), name="sample.counted", task_key=KEY_PREFIX + entry.name,
                                  state=STARTED, arguments={}, worker="elsewhere:1"))
    scheduler = PeriodicScheduler(kampus)
    now = at("2026-12-06 10:00")
    scheduler.tick(now)
    assert scheduler.tick(now + timedelta(seconds=10))[0] == ["sample.slow"]  # claimed, but not submitted
    assert RUNS[token] == 0
    with kampus.db.session_scope() as db_session:
        assert db_session.get(PeriodicTaskState, entry.name).last_outcome.startswith("skipped: the previous run")


def test_a_changed_schedule_takes_effect_and_disabled_tasks_do_not_run(make_app) -> None:
    token = uuid.uuid4().hex
    daily = PeriodicTask("sample.digest", "sample.counted", crontab="0 6 * * *", kwargs={"token": token})
    app = make_app(plugins=[SamplePlugin(), PeriodicPlugin(daily)])
    kampus = app.extensions["kampus"]
    now = at("2026-12-06 10:00")
    PeriodicScheduler(kampus).tick(now)
    hourly = PeriodicTask("sample.digest", "sample.counted", crontab="0 * * * *", kwargs={"token": token})
    assert PeriodicScheduler(kampus, [hourly]).tick(now)[1] == 30  # capped; its next time is 11:00
    with kampus.db.session_scope() as db_session:
        state = db_session.get(PeriodicTaskState, "sample.digest")
        assert (state.schedule, state.next_run_at) == ("crontab 0 * * * *", at("2026-12-06 11:00"))
    # two workers configured differently do not push the run away from each other: it runs at 11:00
    PeriodicScheduler(kampus, [daily]).tick(now + timedelta(minutes=1))
    claimed = PeriodicScheduler(kampus, [daily]).tick(at("2026-12-06 11:00"))[0]
    assert claimed == ["sample.digest"] and RUNS[token] == 1
    with kampus.db.session_scope() as db_session:
        state = db_session.get(PeriodicTaskState, "sample.digest")
        assert (state.schedule, state.next_run_at) == ("crontab 0 6 * * *", at("2026-12-07 06:00"))
    off = make_app(plugins=[SamplePlugin(), PeriodicPlugin(daily)],
                   settings={"periodic_tasks_disabled": ["sample.digest"]})
    assert PeriodicScheduler(off.extensions["kampus"]).entries == []
    assert start_beat(off.extensions["kampus"]) is None
    no_beat = make_app(plugins=[SamplePlugin(), PeriodicPlugin(daily)], settings={"worker_beat": False})
    assert start_beat(no_beat.extensions["kampus"]) is None


def test_only_the_newest_records_of_runs_are_kept(make_app) -> None:
    token = uuid.uuid4().hex
    entry = PeriodicTask("sample.pruned", "sample.counted", every_seconds=10, kwargs={"token": token})
    app = make_app(plugins=[SamplePlugin(), PeriodicPlugin(entry)], settings={"periodic_task_records_kept": 3})
    kampus = app.extensions["kampus"]
    with kampus.db.session_scope() as db_session:  # another task's record with the same name stays
        db_session.add(TaskRecord(id=str(uuid.uuid4()), name="sample.counted", state=SUCCESS, arguments={}))
    scheduler = PeriodicScheduler(kampus)
    now = at("2026-12-06 10:00")
    scheduler.tick(now)
    for step in range(1, 7):
        assert scheduler.tick(now + timedelta(seconds=10 * step))[0] == ["sample.pruned"]
    assert RUNS[token] == 6
    kept = periodic_records(app, entry.name)
    assert [record.result for record in kept] == [4, 5, 6]
    with kampus.db.session_scope() as db_session:
        assert db_session.scalar(sa.select(sa.func.count()).select_from(TaskRecord)) == 4


# --- kampus periodic-tasks -----------------------------------------------------------------------------


def test_the_command_lists_the_periodic_tasks_and_their_next_run(make_app, monkeypatch) -> None:
    entries = [PeriodicTask("sample.digest", "sample.counted", crontab="0 6 * * *", kwargs={"token": "t"}),
               PeriodicTask("sample.often", "sample.add", every_seconds=300, args=(1, 2)),
               PeriodicTask("sample.off", "sample.add", every_seconds=5, args=(1, 2))]
    app = make_app(plugins=[SamplePlugin(), PeriodicPlugin(*entries)],
                   settings={"periodic_tasks_disabled": ["sample.off"]})
    kampus = app.extensions["kampus"]
    PeriodicScheduler(kampus, [entries[1]]).tick(at("2026-12-06 10:00"))
    monkeypatch.setattr(periodic_command, "load_app", lambda: app)
    runner = CliRunner()
    listed = json.loads(runner.invoke(cli.main, ["periodic-tasks", "--json"], catch_exceptions=False).output)
    assert [item["name"] for item in listed] == ["sample.digest", "sample.often", "sample.off"]
    digest, often, off = listed
    assert digest["schedule"] == "crontab 0 6 * * *" and digest["task"] == "sample.counted"
    assert datetime.fromisoformat(digest["next_run_at"]).time().isoformat() == "06:00:00"
    assert often["next_run_at"] == "2026-12-06T10:05:00+00:00" and often["runs"] == 0  # from the table
    assert off["enabled"] is False and off["next_run_at"] is None
    text = runner.invoke(cli.main, ["periodic-tasks"], catch_exceptions=False).output
    assert "sample.often\n  task: sample.add\n  schedule: every 300s (UTC)\n  next run: 2026-12-06T10:05:00+00:00" \
        in text
    assert "next run: disabled (periodic_tasks_disabled)" in text
    assert describe(kampus)[1] == often


def test_the_command_without_periodic_tasks(make_app, monkeypatch) -> None:
    app = make_app()
    monkeypatch.setattr(periodic_command, "load_app", lambda: app)
    output = CliRunner().invoke(cli.main, ["periodic-tasks"], catch_exceptions=False).output
    assert output == "No periodic tasks: no enabled plugin declares any.\n"


# --- `kampus worker` processes on the embedded broker --------------------------------------------------

#: Runs the ``kampus`` command line with a plugin that declares ``probe.every_second`` (every second),
#: registered as a core part (the process has no installed plugin that declares periodic tasks).
PROBE = """
import sys, types
import kampus.plugins
from kampus_hookspecs import PeriodicTask, hookimpl
from kampus.tasks.api import task_name

probe = types.ModuleType("kampus_periodic_probe")

@task_name("probe.stamp")
def stamp(task):
    return {"attempt": task.attempt}

@hookimpl
def kampus_celery_tasks():
    return [stamp]

@hookimpl
def kampus_periodic_tasks():
    return [PeriodicTask("probe.every_second", "probe.stamp", every_seconds=1)]

probe.kampus_celery_tasks, probe.kampus_periodic_tasks = kampus_celery_tasks, kampus_periodic_tasks
sys.modules[probe.__name__] = probe
kampus.plugins.CORE_PLUGINS = (*kampus.plugins.CORE_PLUGINS, probe.__name__)
from kampus.cli import main
main()
"""


def probe_command(*args: str) -> list[str]:
    return [sys.executable, "-c", PROBE, *args]


@pytest.mark.slow
def test_two_worker_processes_run_each_due_time_once(tmp_path: Path) -> None:
    home = tmp_path / "site"
    home.mkdir()
    (home / "kampus.toml").write_text('plugins = []\nsecret_key = "periodic-test"\n', encoding="utf-8")
    environ = {k: v for k, v in os.environ.items() if not k.startswith("KAMPUS_")} | {"KAMPUS_HOME": str(home)}
    app = create_app(read_raw_settings(home, environ))  # the kernel alone: enough to migrate and read records
    kampus = app.extensions["kampus"]
    upgrade(kampus.db, kampus.pm)
    workers = []
    try:
        for number in range(2):
            log = open(home / f"worker{number}.log", "wb")  # noqa: SIM115 - closed with the process
            workers.append(subprocess.Popen(probe_command("worker", "--loglevel=INFO", "--concurrency=1"),
                                            env=environ, stdout=log, stderr=subprocess.STDOUT))

        def both_scheduling() -> tuple[int] | None:
            logs = [(home / f"worker{n}.log").read_text(errors="replace") for n in range(2)]
            if all("periodic tasks: scheduling probe.every_second" in log for log in logs):
                return (len(periodic_records(app, "probe.every_second")),)  # a tuple: 0 runs is an answer
            return None

        def done() -> list[TaskRecord] | None:
            records = [r for r in periodic_records(app, "probe.every_second") if r.state == SUCCESS]
            return records if len(records) >= before_both + 4 else None

        try:
            # a loaded machine may start one worker many seconds before the other: count the runs made
            # while both schedulers are up, or the test proves nothing about two of them
            (before_both,) = wait_for(both_scheduling, timeout=120, interval=0.2)
            wait_for(done, timeout=90, interval=0.2)
        except AssertionError:
            raise AssertionError("\n".join((home / f"worker{n}.log").read_text() for n in range(2))) from None
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
    records = periodic_records(app, "probe.every_second")
    with kampus.db.session_scope() as db_session:
        state = db_session.get(PeriodicTaskState, "probe.every_second")
        runs, outcome = state.runs, state.last_outcome
    # one record per claimed due time at most (a run is skipped while the previous one waits for the busy
    # worker; a claim made as a worker stops may never be submitted)
    assert 4 <= len(records) <= runs, (outcome, [(r.state, r.created_at) for r in records])
    gaps = [(b.created_at - a.created_at).total_seconds() for a, b in zip(records, records[1:], strict=False)]
    assert all(gap > 0.5 for gap in gaps), gaps  # two schedulers, yet never two runs of one due time
    listed = subprocess.run(probe_command("periodic-tasks", "--json"), env=environ, capture_output=True,
                            text=True, timeout=60, check=True)
    (item,) = json.loads(listed.stdout)
    assert item["name"] == "probe.every_second" and item["task"] == "probe.stamp" and item["runs"] == runs
    assert datetime.fromisoformat(item["next_run_at"]) > records[-1].created_at
    kampus.db.dispose()
