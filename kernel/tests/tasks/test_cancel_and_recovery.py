"""Cancelling tasks, and sending again the tasks of a worker that is gone (``recover_orphaned_tasks``)."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading

import pytest
from kampus_hookspecs import hookimpl

from kampus.db import utcnow
from kampus.tasks import runner
from kampus.tasks.api import TaskContext, cancel, recover_orphaned_tasks, submit, task_name
from kampus.tasks.models import CANCELLED, PENDING, PROGRESS, STARTED, SUCCESS, TaskRecord

from .conftest import RUNS, finished_record, wait_for

LOOP_GATES: dict[str, threading.Event] = {}


@task_name("sample.loop")
def loop(task: TaskContext, token: str, steps: int = 200) -> int:
    for i in range(steps):
        task.progress(i, steps, "looping")
        if i == 1:
            LOOP_GATES[token].set()
        threading.Event().wait(0.02)
    return steps


@task_name("sample.runs")
def runs(task: TaskContext, token: str) -> dict[str, object]:
    RUNS[token] += 1
    return {"runs": RUNS[token], "attempt": task.attempt}


@task_name("sample.quiet")
def quiet(task: TaskContext, token: str) -> str:
    """Reports progress once, then works a second without reporting (only the heartbeat shows life)."""
    task.progress(1, 2, "quiet now")
    LOOP_GATES[token].set()
    threading.Event().wait(1.0)
    return "done"


class LoopPlugin:
    @hookimpl
    def kampus_celery_tasks(self) -> list[object]:
        return [loop, runs, quiet]


def _record(app, record_id: str) -> TaskRecord:
    with app.extensions["kampus"].db.session_scope() as db_session:
        return db_session.get(TaskRecord, record_id)


def _set(app, record_id: str, **fields: object) -> None:
    with app.extensions["kampus"].db.session_scope() as db_session:
        record = db_session.get(TaskRecord, record_id)
        for name, value in fields.items():
            setattr(record, name, value)


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_cancel_pending_task_never_runs(make_app):
    app = make_app(plugins=[LoopPlugin()], celery="real")
    with app.app_context():
        kampus = app.extensions["kampus"]
        # a record whose message has not been sent yet: cancelled while pending
        record_id = "pending-cancel"
        with kampus.db.session_scope() as db_session:
            db_session.add(TaskRecord(id=record_id, name="sample.runs", arguments={"args": [], "kwargs": {}},
                                      state=PENDING))
        cancelled = cancel(record_id)
        assert cancelled.state == CANCELLED and cancelled.finished_at is not None
        assert runner.run_recorded(kampus, runs, record_id, [], {"token": "never"}) is None
        assert RUNS["never"] == 0
        assert cancel("no-such-task") is None


def test_cancel_running_task_stops_at_next_progress(make_app):
    app = make_app(plugins=[LoopPlugin()], celery="real")
    LOOP_GATES["c1"] = threading.Event()
    with app.app_context():
        record = submit("sample.loop", token="c1", steps=500, key="c1")
        assert LOOP_GATES["c1"].wait(20)
        cancel(record.id)
        done = finished_record(app, record.id)
        assert done.state == CANCELLED
        assert done.progress_current < 500
        assert done.to_json()["cancel_requested"] is True
        # the key is free again: a new one can start
        again = submit("sample.runs", token="c1-after", key="c1")
        assert finished_record(app, again.id).state == SUCCESS


def test_cancel_finished_task_changes_nothing(make_app):
    app = make_app(plugins=[LoopPlugin()])
    with app.app_context():
        record = submit("sample.runs", token="fin")
        assert record.state == SUCCESS
        assert cancel(record.id).state == SUCCESS


def test_claim_records_worker_and_heartbeat(make_app):
    app = make_app(plugins=[LoopPlugin()])
    with app.app_context():
        record = submit("sample.runs", token="claim")
        stored = _record(app, record.id)
        assert stored.state == SUCCESS and stored.worker == ""  # cleared when finished
        assert stored.heartbeat_at is not None and stored.attempts == 1


def test_orphan_of_dead_worker_is_sent_again_and_finishes_once(make_app):
    app = make_app(plugins=[LoopPlugin()])
    with app.app_context():
        kampus = app.extensions["kampus"]
        record_id = "orphan-1"
        with kampus.db.session_scope() as db_session:
            db_session.add(TaskRecord(id=record_id, name="sample.runs",
                                      arguments={"args": [], "kwargs": {"token": "orphan"}}, state=PROGRESS,
                                      worker=f"{socket.gethostname()}:{_dead_pid()}", attempts=1,
                                      heartbeat_at=utcnow()))
        assert recover_orphaned_tasks() == [record_id]  # eager: it ran again here
        done = _record(app, record_id)
        assert done.state == SUCCESS and done.result == {"runs": 1, "attempt": 2}
        assert recover_orphaned_tasks() == []  # finished: nothing to recover
        assert RUNS["orphan"] == 1


def test_task_of_live_worker_is_left_alone(make_app):
    app = make_app(plugins=[LoopPlugin()])
    with app.app_context():
        kampus = app.extensions["kampus"]
        with kampus.db.session_scope() as db_session:
            db_session.add(TaskRecord(id="alive-1", name="sample.runs",
                                      arguments={"args": [], "kwargs": {"token": "alive"}}, state=STARTED,
                                      worker=runner.worker_name(), attempts=1, heartbeat_at=utcnow()))
        assert recover_orphaned_tasks() == []
        # a duplicate message of a record that a live worker (another process here) runs is dropped
        _set(app, "alive-1", worker=f"{socket.gethostname()}:1")  # pid 1 is alive
        assert runner.run_recorded(kampus, runs, "alive-1", [], {"token": "alive"}) is None
        assert RUNS["alive"] == 0


@pytest.mark.parametrize("age, expected", [(5, []), (600, ["remote-1"])])
def test_remote_worker_is_judged_by_its_heartbeat(make_app, age, expected):
    from datetime import timedelta

    app = make_app(plugins=[LoopPlugin()], settings={"task_stale_after_seconds": 60})
    with app.app_context():
        kampus = app.extensions["kampus"]
        with kampus.db.session_scope() as db_session:
            db_session.add(TaskRecord(id="remote-1", name="sample.runs",
                                      arguments={"args": [], "kwargs": {"token": f"remote-{age}"}}, state=PROGRESS,
                                      worker="some-other-host.example:4242", attempts=1,
                                      heartbeat_at=utcnow() - timedelta(seconds=age)))
        assert recover_orphaned_tasks() == expected


def test_heartbeat_is_written_while_task_runs(make_app):
    app = make_app(plugins=[LoopPlugin()], celery="real", settings={"task_heartbeat_seconds": 0.1})
    LOOP_GATES["hb"] = threading.Event()
    with app.app_context():
        record = submit("sample.quiet", token="hb")
        assert LOOP_GATES["hb"].wait(20)
        first = _record(app, record.id).heartbeat_at
        wait_for(lambda: _record(app, record.id).heartbeat_at != first, timeout=10)
        assert _record(app, record.id).worker == runner.worker_name()
        assert finished_record(app, record.id).state == SUCCESS
