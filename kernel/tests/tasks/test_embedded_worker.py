"""`kampus worker` on the embedded broker (SQLite through kombu's SQLAlchemy transport), as a real process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kampus.app import create_app
from kampus.db.migrate import upgrade
from kampus.settings import read_raw_settings
from kampus.tasks import runner

from .conftest import finished_record, wait_for


@pytest.fixture
def site(tmp_path: Path):
    """A site folder with default (embedded) broker settings, migrated; returns its app."""
    home = tmp_path / "site"
    home.mkdir()
    (home / "kampus.toml").write_text('plugins = []\nsecret_key = "embedded-worker-test"\n', encoding="utf-8")
    environ = {k: v for k, v in os.environ.items() if not k.startswith("KAMPUS_")} | {"KAMPUS_HOME": str(home)}
    app = create_app(read_raw_settings(home, environ))
    kampus = app.extensions["kampus"]
    assert kampus.settings.celery_broker_url == f"sqla+sqlite:///{home}/broker.sqlite"
    upgrade(kampus.db, kampus.pm)
    yield app, environ, home
    kampus.db.dispose()


def start_worker(environ: dict[str, str], home: Path, *extra: str) -> subprocess.Popen[bytes]:
    log = open(home / "worker.log", "wb")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [sys.executable, "-m", "kampus.cli", "worker", "--loglevel=INFO", "--concurrency=1", *extra],
        env=environ, stdout=log, stderr=subprocess.STDOUT,
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_worker_process_runs_submitted_tasks(site):
    app, environ, home = site
    kampus = app.extensions["kampus"]
    # submitted before the worker runs: the message waits in the SQLite broker
    first = runner.submit(kampus, "kampus.tasks.demo.count", n=3, delay=0.05)
    worker = start_worker(environ, home)
    try:
        record = finished_record(app, first.id, timeout=60)
        assert record.state == "SUCCESS", (home / "worker.log").read_text()
        assert record.result == {"counted": 3, "attempt": 1}
        # and with the worker running, a task is picked up promptly (polling, not minutes)
        started = time.monotonic()
        second = runner.submit(kampus, "kampus.tasks.demo.count", n=1, delay=0)
        assert finished_record(app, second.id, timeout=30).state == "SUCCESS"
        assert time.monotonic() - started < 5
    finally:
        stop(worker)
    assert worker.returncode == 0, (home / "worker.log").read_text()
    import sqlite3

    with sqlite3.connect(home / "broker.sqlite") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_worker_stops_when_its_parent_dies(site):
    """`kampus serve` starts its worker with --exit-with-parent: a killed serve leaves no orphan."""
    _app, environ, home = site
    code = (
        "import subprocess, sys, os, time\n"
        "p = subprocess.Popen([sys.executable, '-m', 'kampus.cli', 'worker', '--concurrency=1',\n"
        "                      '--loglevel=WARNING', f'--exit-with-parent={os.getpid()}'])\n"
        "print(p.pid, flush=True)\n"
        "time.sleep(120)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", code], env=environ, stdout=subprocess.PIPE)
    try:
        worker_pid = int(parent.stdout.readline())
        time.sleep(1.0)  # let it start
        parent.send_signal(signal.SIGKILL)
        parent.wait()

        def gone() -> bool:
            try:
                os.kill(worker_pid, 0)
            except ProcessLookupError:
                return True
            # a zombie (reparented to init, not yet reaped) counts as gone
            try:
                return Path(f"/proc/{worker_pid}/stat").read_text().split()[2] == "Z"
            except FileNotFoundError:
                return True

        wait_for(gone, timeout=30, interval=0.2)
    finally:
        if parent.poll() is None:
            parent.kill()
