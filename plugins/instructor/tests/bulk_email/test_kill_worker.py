"""Acceptance: a worker process killed (SIGKILL) in the middle of a bulk e-mail to 2,000 learners; a new
worker finishes the send and every learner has exactly one message in the console mailer's outbox.

* on the embedded SQLite broker that ``make serve`` uses: the killed worker took its message with it; the
  new worker's recovery sends the task again (its record names a worker that is gone);
* on PostgreSQL and RabbitMQ (``KAMPUS_TEST_POSTGRES_URL`` or a PostgreSQL ``KAMPUS_TEST_DB_URL``, and
  ``KAMPUS_TEST_BROKER_URL``): RabbitMQ redelivers the unacknowledged message.

The task runs again with a higher attempt: rows already ``sent`` are skipped, the one row that was in
flight is settled by looking for its ``Message-ID`` in the outbox (see :mod:`kampus_instructor.bulk_email.service`).
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from email.utils import getaddresses
from pathlib import Path

import pytest
import sqlalchemy as sa
from kampus_content.testing.xblocks import publish_course
from kampus_instructor.bulk_email import service
from kampus_instructor.bulk_email.models import BulkEmailMessage
from kampus_lms.enrollment.models import CourseEnrollment

from kampus.app import create_app
from kampus.db.migrate import upgrade
from kampus.drivers.mailer import read_outbox
from kampus.identity.models import User
from kampus.settings import read_raw_settings
from kampus.tasks.models import TaskRecord

pytestmark = [pytest.mark.slow]

LEARNERS = 2000
COURSE = "course-v1:KampusX+KillMail+2026"
PLUGINS = '["content", "problems", "lms", "instructor"]'


def _postgres_url() -> str:
    url = os.environ.get("KAMPUS_TEST_POSTGRES_URL") or ""
    if not url and os.environ.get("KAMPUS_TEST_DB_URL", "").startswith("postgresql"):
        url = os.environ["KAMPUS_TEST_DB_URL"]
    if not url:
        pytest.skip("no PostgreSQL: set KAMPUS_TEST_POSTGRES_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    return url


def _broker_url() -> str:
    url = os.environ.get("KAMPUS_TEST_BROKER_URL", "")
    if not url.startswith(("amqp://", "amqps://", "pyamqp://")):
        pytest.skip("no RabbitMQ: set KAMPUS_TEST_BROKER_URL (e.g. amqp://guest:guest@127.0.0.1:5672//)")
    return url


@pytest.fixture(params=["sqlite-embedded", pytest.param(
    "postgresql-rabbitmq", marks=[pytest.mark.rabbitmq, pytest.mark.real_celery, pytest.mark.db_servers])])
def site(request, tmp_path: Path):
    """A site folder (its own database, queue and console outbox) with the instructor plugin, migrated."""
    home = tmp_path / "site"
    home.mkdir()
    lines = [f"plugins = {PLUGINS}", 'secret_key = "kill-mail-test"', 'mailer = "console"',
             f'mail_outbox = "{home / "outbox"}"', "instructor_bulk_email_batch_size = 20",
             "task_recovery_interval_seconds = 2", f'celery_queue = "kill-mail-{secrets.token_hex(4)}"']
    server_db = None
    if request.param == "postgresql-rabbitmq":
        server = sa.make_url(_postgres_url())
        broker = _broker_url()
        name = f"kampus_killmail_{secrets.token_hex(4)}"
        admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        server_db = (admin, name)
        database_url = server.set(database=name).render_as_string(hide_password=False)
        lines += [f'database_url = "{database_url}"', f'celery_broker_url = "{broker}"']
    (home / "kampus.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    environ = {k: v for k, v in os.environ.items() if not k.startswith("KAMPUS_")} | {"KAMPUS_HOME": str(home)}
    app = create_app(read_raw_settings(home, environ))
    kampus = app.extensions["kampus"]
    upgrade(kampus.db, kampus.pm)
    yield app, environ, home
    kampus.db.dispose()
    if server_db is not None:
        admin, name = server_db
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def seed(kampus, count: int) -> list[str]:
    """``count`` enrolled learners (bulk inserts); their e-mail addresses."""
    now = datetime.now(UTC)
    names = [f"mail{i:05d}" for i in range(count)]
    with kampus.db.session_scope() as connection:
        connection.execute(sa.insert(User), [
            {"username": name, "email": f"{name}@example.com", "name": name, "password_hash": "", "is_active": True,
             "is_staff": False, "is_superuser": False, "date_joined": now, "session_token": ""} for name in names])
        ids = dict(connection.execute(sa.select(User.username, User.id).where(User.username.in_(names))).all())
        connection.execute(sa.insert(CourseEnrollment), [
            {"user_id": ids[name], "course_id": COURSE, "mode": "audit", "is_active": True, "created": now,
             "modified": now} for name in names])
    return [f"{name}@example.com" for name in names]


def start_worker(environ: dict[str, str], home: Path, name: str) -> subprocess.Popen[bytes]:
    log = open(home / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
    return subprocess.Popen([sys.executable, "-m", "kampus.cli", "worker", "--loglevel=INFO", "--concurrency=2"],
                            env=environ, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def record(kampus, record_id: str) -> TaskRecord:
    with kampus.db.session_scope() as db_session:
        found = db_session.get(TaskRecord, record_id)
        db_session.expunge_all()
    return found


def wait(predicate, timeout: float, interval: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s")


def test_killed_worker_sends_each_email_once(site):
    app, environ, home = site
    kampus = app.extensions["kampus"]
    publish_course(app, COURSE, {"unit": []}, course_fields={"display_name": "Kill mail"})
    addresses = seed(kampus, LEARNERS)
    with app.test_request_context():
        message = service.create_message(COURSE, None, "Exactly once", "<p>Once each.</p>", ["learners"])
    task_id = message.task_id
    first = start_worker(environ, home, "first")
    seen: list[int] = []
    try:
        def midway() -> bool:
            found = record(kampus, task_id)
            seen.append(found.progress_current)
            return found.state == "PROGRESS" and 200 <= found.progress_current < LEARNERS // 2

        wait(midway, timeout=180)
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    assert len(set(seen)) >= 3, "progress advanced while sending"
    assert len(read_outbox(home / "outbox")) < LEARNERS, "killed mid-send"
    second = start_worker(environ, home, "second")
    try:
        done = wait(lambda: (lambda r: r if r.finished else None)(record(kampus, task_id)), timeout=300,
                    interval=0.2)
        time.sleep(3)  # a later recovery round, or a stray duplicate message, must not send again
    finally:
        second.terminate()
        second.wait(60)
    log = (home / "second.log").read_text(errors="replace")
    assert done.state == "SUCCESS", (done.error, log[-3000:])
    assert done.attempts == 2, log[-3000:]
    outbox = read_outbox(home / "outbox")
    got = Counter(address for m in outbox for _name, address in getaddresses(m.get_all("To", [])))
    assert got == Counter(addresses), "every learner exactly one message"
    with app.app_context():
        counts = service.delivery_counts([message.id])[message.id]
        assert (counts.sent, counts.failed, counts.pending) == (LEARNERS, 0, 0)
        with kampus.db.session_scope() as db_session:
            assert db_session.get(BulkEmailMessage, message.id).status == "sent"
