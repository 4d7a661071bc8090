"""Crash safety of the task runner (review of issue 19): one run per record at a time, a late
worker fenced off, the database's clock, unique worker names, cancelled orphans stay cancelled."""

from __future__ import annotations

import socket
import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from kampus_hookspecs import hookimpl

from kampus.tasks import runner
from kampus.tasks.api import TaskContext, TaskLost, recover_orphaned_tasks, task_name
from kampus.tasks.models import CANCELLED, PENDING, PROGRESS, STARTED, SUCCESS, TaskRecord

from .conftest import RUNS

GATES: dict[str, threading.Event] = {}


@task_name("fence.runs")
def fence_runs(task: TaskContext, token: str) -> int:
    RUNS[token] += 1
    if token in GATES:  # hold the run until the test lets it go
        GATES[f"{token}-started"].set()
        assert GATES[token].wait(20)
    return RUNS[token]


class FencePlugin:
    @hookimpl
    def kampus_celery_tasks(self) -> list[object]:
        return [fence_runs]


def _kampus(app):
    return app.extensions["kampus"]


def _add(app, record_id: str, token: str, **fields: object) -> None:
    with _kampus(app).db.session_scope() as db_session:
        db_session.add(TaskRecord(id=record_id, name="fence.runs", arguments={"args": [], "kwargs": {"token": token}},
                                  **fields))


def _record(app, record_id: str) -> TaskRecord:
    with _kampus(app).db.session_scope() as db_session:
        return db_session.get(TaskRecord, record_id)


def _db_now(app) -> datetime:
    with _kampus(app).db.session_scope() as db_session:
        return runner.database_now(db_session)


def test_second_message_in_same_process_is_dropped_while_first_runs(make_app):
    app = make_app(plugins=[FencePlugin()])
    GATES["twice"], GATES["twice-started"] = threading.Event(), threading.Event()
    kampus = _kampus(app)
    with app.app_context():
        _add(app, "twice", "twice", state=PENDING)
        outcome: list[str | None] = []

        def first() -> None:
            with app.app_context():
                outcome.append(runner.run_recorded(kampus, fence_runs, "twice", [], {"token": "twice"}))

        thread = threading.Thread(target=first)
        thread.start()
        try:
            assert GATES["twice-started"].wait(20)
            # a redelivered message on another thread of this worker: same worker name, fresh heartbeat
            assert runner.run_recorded(kampus, fence_runs, "twice", [], {"token": "twice"}) is None
        finally:
            GATES["twice"].set()
            thread.join(20)
        assert outcome == [SUCCESS]
        assert RUNS["twice"] == 1
        assert _record(app, "twice").attempts == 1


def test_worker_name_is_unique_per_process():
    name = runner.worker_name()
    host, pid, token = name.split(":")
    assert host == socket.gethostname() and int(pid) > 0
    assert len(token.split("-")) == 3  # pid namespace, process start, random
    assert runner.worker_name() == name


def test_late_worker_is_fenced_off_and_keeps_the_new_result(make_app):
    app = make_app(plugins=[FencePlugin()], settings={"task_stale_after_seconds": 60})
    kampus = _kampus(app)
    with app.app_context():
        _add(app, "late", "late", state=PROGRESS, worker="otherhost:42:1-1-ab", attempts=1,
             heartbeat_at=_db_now(app) - timedelta(seconds=120))
        old = TaskContext(kampus, _record(app, "late"))
        assert recover_orphaned_tasks() == ["late"]  # eager: ran again here
        rerun = _record(app, "late")
        assert rerun.state == SUCCESS and rerun.attempts == 2 and rerun.result == 1
        # the old worker was only paused: its progress stops it, its outcome is dropped
        with pytest.raises(TaskLost):
            old.progress(5, 10, "old worker")
        assert not runner._finish(kampus, "late", owner=old, state="FAILURE", error="old worker failed", worker="")
        final = _record(app, "late")
        assert (final.state, final.error, final.result, final.progress_message) == (SUCCESS, "", 1, "")


def test_heartbeat_of_a_taken_over_run_marks_it_lost(make_app):
    app = make_app(plugins=[FencePlugin()], settings={"task_heartbeat_seconds": 0.05})
    kampus = _kampus(app)
    with app.app_context():
        _add(app, "beat", "beat", state=STARTED, worker=runner.worker_name(), attempts=1,
             heartbeat_at=_db_now(app))
        context = TaskContext(kampus, _record(app, "beat"))
        with kampus.db.session_scope() as db_session:
            db_session.get(TaskRecord, "beat").attempts = 2  # another run took it
        with runner._Heartbeat(context, 0.05):
            assert context.lost.wait(5)
        with pytest.raises(TaskLost):
            context.progress(1, 2)


def test_staleness_uses_the_database_clock(make_app, monkeypatch):
    app = make_app(plugins=[FencePlugin()], settings={"task_stale_after_seconds": 60})
    with app.app_context():
        _add(app, "skew", "skew", state=PROGRESS, worker="otherhost:42:1-1-ab", attempts=1,
             heartbeat_at=_db_now(app) - timedelta(seconds=5))
        # this machine's clock runs an hour ahead of the database's: the worker is still alive
        monkeypatch.setattr(runner, "utcnow", lambda: datetime.now(UTC) + timedelta(hours=1))
        assert recover_orphaned_tasks() == []
        assert RUNS["skew"] == 0


def test_claim_writes_the_database_time(make_app):
    app = make_app(plugins=[FencePlugin()])
    with app.app_context():
        _add(app, "clock", "clock", state=PENDING)
        before = _db_now(app)
        assert runner.run_recorded(_kampus(app), fence_runs, "clock", [], {"token": "clock"}) == SUCCESS
        record = _record(app, "clock")
        assert before - timedelta(seconds=1) <= record.heartbeat_at <= _db_now(app) + timedelta(seconds=1)
        assert record.finished_at >= record.started_at


def test_reused_pid_on_this_host_is_dead(make_app):
    app = make_app(plugins=[FencePlugin()])
    namespace = runner._pid_namespace()
    with app.app_context():
        # pid 1 exists, but it is not the process that took the record (another start time)
        _add(app, "reused", "reused", state=PROGRESS, worker=f"{socket.gethostname()}:1:{namespace}-0-dead",
             attempts=1, heartbeat_at=_db_now(app))
        assert recover_orphaned_tasks() == ["reused"]
        assert _record(app, "reused").state == SUCCESS


def test_existing_pid_with_a_very_old_heartbeat_is_dead(make_app):
    app = make_app(plugins=[FencePlugin()], settings={"task_stale_after_seconds": 60})
    with app.app_context():
        _add(app, "stuck", "stuck", state=PROGRESS, worker=f"{socket.gethostname()}:1", attempts=1,
             heartbeat_at=_db_now(app) - timedelta(days=1))
        assert recover_orphaned_tasks() == ["stuck"]


def test_same_host_name_in_another_pid_namespace_is_judged_by_heartbeat(make_app):
    app = make_app(plugins=[FencePlugin()], settings={"task_stale_after_seconds": 60})
    with app.app_context():
        # a container sharing our host name: its pid means nothing here
        _add(app, "container", "container", state=PROGRESS,
             worker=f"{socket.gethostname()}:999999:4026599999-1-ab", attempts=1, heartbeat_at=_db_now(app))
        assert recover_orphaned_tasks() == []


@pytest.mark.parametrize("state", [STARTED, PROGRESS])
def test_cancelled_orphan_is_finished_cancelled_not_run_again(make_app, state):
    app = make_app(plugins=[FencePlugin()], settings={"task_stale_after_seconds": 60})
    with app.app_context():
        _add(app, "gone", "gone", state=state, worker="otherhost:42:1-1-ab", attempts=1, cancel_requested=True,
             heartbeat_at=_db_now(app) - timedelta(seconds=600))
        assert recover_orphaned_tasks() == []
        assert _record(app, "gone").state == CANCELLED
        assert RUNS["gone"] == 0


def test_cancelled_record_is_not_claimed(make_app):
    app = make_app(plugins=[FencePlugin()], settings={"task_stale_after_seconds": 60})
    kampus = _kampus(app)
    with app.app_context():
        _add(app, "claimc", "claimc", state=PROGRESS, worker="otherhost:42:1-1-ab", attempts=1,
             cancel_requested=True, heartbeat_at=_db_now(app) - timedelta(seconds=600))
        assert runner.run_recorded(kampus, fence_runs, "claimc", [], {"token": "claimc"}) is None
        assert _record(app, "claimc").state == CANCELLED
        assert RUNS["claimc"] == 0


@pytest.mark.parametrize("age, expected", [(5, []), (600, ["legacy"])])
def test_record_started_before_worker_names_is_judged_by_age(make_app, age, expected):
    app = make_app(plugins=[FencePlugin()], settings={"task_stale_after_seconds": 60})
    with app.app_context():
        _add(app, "legacy", f"legacy-{age}", state=STARTED, worker="", attempts=1,
             started_at=_db_now(app) - timedelta(seconds=age))
        assert recover_orphaned_tasks() == expected


def test_recovery_leaves_a_record_whose_worker_beat_meanwhile(make_app, monkeypatch):
    app = make_app(plugins=[FencePlugin()], settings={"task_stale_after_seconds": 60})
    with app.app_context():
        _add(app, "beating", "beating", state=PROGRESS, worker="otherhost:42:1-1-ab", attempts=1,
             heartbeat_at=_db_now(app) - timedelta(seconds=600))

        def judged_dead_then_beats(kampus, record, now=None):
            # the worker was only slow: it beats between the recovery's read and its compare-and-set
            with kampus.db.session_scope() as db_session:
                db_session.execute(sa.update(TaskRecord).where(TaskRecord.id == record.id)
                                   .values(heartbeat_at=runner.db_utcnow()))
            return False

        monkeypatch.setattr(runner, "worker_alive", judged_dead_then_beats)
        assert recover_orphaned_tasks() == []
        record = _record(app, "beating")
        assert (record.state, record.worker, record.attempts) == (PROGRESS, "otherhost:42:1-1-ab", 1)
        assert RUNS["beating"] == 0
