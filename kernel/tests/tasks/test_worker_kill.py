"""A worker process killed (SIGKILL) mid-task on the embedded SQLite broker: the next worker runs the
task again and it finishes once (the broker had lost the in-flight message with the dead worker)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from kampus.tasks import runner
from kampus.tasks.models import SUCCESS, TaskRecord

from .conftest import finished_record, wait_for
from .test_embedded_worker import site  # noqa: F401 - the fixture


def start_worker_group(environ: dict[str, str], home: Path, name: str) -> subprocess.Popen[bytes]:
    log = open(home / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [sys.executable, "-m", "kampus.cli", "worker", "--loglevel=INFO", "--concurrency=1"],
        env=environ | {"KAMPUS_TASK_RECOVERY_INTERVAL_SECONDS": "2"}, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: SIGKILL takes the pool process with it
    )


def kill_group(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def test_killed_worker_task_runs_again_and_finishes_once(site):  # noqa: F811
    app, environ, home = site
    kampus = app.extensions["kampus"]
    record = runner.submit(kampus, "kampus.tasks.demo.count", n=30, delay=0.1)
    first = start_worker_group(environ, home, "first")
    try:
        def midway() -> TaskRecord | None:
            with kampus.db.session_scope() as db_session:
                found = db_session.get(TaskRecord, record.id)
                return found if found.progress_current >= 5 else None

        started = wait_for(midway, timeout=60, interval=0.05)
        assert started.worker and started.state == "PROGRESS"
    finally:
        kill_group(first)
    with kampus.db.session_scope() as db_session:
        assert db_session.get(TaskRecord, record.id).state == "PROGRESS"  # left running by a dead worker
    second = start_worker_group(environ, home, "second")
    try:
        done = finished_record(app, record.id, timeout=90)
        assert done.state == SUCCESS, (home / "second.log").read_text()
        assert done.result == {"counted": 30, "attempt": 2}
        assert done.attempts == 2
        # it does not run a third time: later recoveries leave the finished record alone
        import time

        time.sleep(3)
        with kampus.db.session_scope() as db_session:
            assert db_session.get(TaskRecord, record.id).attempts == 2
        log = (home / "second.log").read_text()
        assert log.count("which is gone: sending it again") == 1, log
    finally:
        second.terminate()
        second.wait(30)
