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
import signal
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

from kampus.drivers.mailer import read_outbox
from kampus.identity.models import User
from kampus.tasks.models import TaskRecord

from ..worker_site import SITE_KINDS, start_worker, worker_site

pytestmark = [pytest.mark.slow]

LEARNERS = 2000
COURSE = "course-v1:KampusX+KillMail+2026"


@pytest.fixture(params=SITE_KINDS)
def site(request, tmp_path: Path):
    """A site folder (its own database, queue and console outbox) with the instructor plugin, migrated."""
    settings = ['mailer = "console"', f'mail_outbox = "{tmp_path / "site" / "outbox"}"',
                "instructor_bulk_email_batch_size = 20"]
    with worker_site(request.param, tmp_path, settings, "kill-mail") as found:
        yield found


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
