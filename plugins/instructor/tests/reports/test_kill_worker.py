"""Acceptance: a worker process killed (SIGKILL) in the middle of a grade report and an answer distribution
of 2,000 learners; a new worker finishes each report once, complete and right.

* on PostgreSQL and RabbitMQ (``KAMPUS_TEST_POSTGRES_URL`` or a PostgreSQL ``KAMPUS_TEST_DB_URL``, and
  ``KAMPUS_TEST_BROKER_URL``): RabbitMQ redelivers the killed worker's unacknowledged messages;
* on the embedded SQLite broker that ``make serve`` uses: the killed worker took its messages with it,
  and the new worker's recovery sends again the tasks whose records name a worker that is gone.

Either way a task runs again from the start (reports are idempotent: same blob, same listing row), and a
duplicate message of a task a live worker runs is dropped.
"""

from __future__ import annotations

import csv
import io
import os
import signal
import time
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa
from kampus_instructor.reports.api import start_report
from kampus_instructor.reports.models import ReportFile

from kampus.tasks.models import TaskRecord

from ..worker_site import SITE_KINDS, start_worker, worker_site
from .conftest import COURSE, publish_graded_course
from .seed import scripted, seed_learners

pytestmark = [pytest.mark.slow]

LEARNERS = 2000


@pytest.fixture(params=SITE_KINDS)
def site(request, tmp_path: Path):
    """A site folder (its own database and queue) with the instructor plugin, migrated."""
    with worker_site(request.param, tmp_path, ["instructor_report_batch_size = 5"], "kill") as found:
        yield found


def records(kampus, ids: list[str]) -> dict[str, TaskRecord]:
    with kampus.db.session_scope() as db_session:
        found = {r.id: r for r in db_session.scalars(sa.select(TaskRecord).where(TaskRecord.id.in_(ids)))}
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


def test_killed_worker_reports_finish_once(site):
    app, environ, home = site
    kampus = app.extensions["kampus"]
    usage = publish_graded_course(app)
    seeded = seed_learners(kampus, COURSE, usage, LEARNERS)
    with app.app_context():
        ids = [start_report("grade_report", COURSE, None).id, start_report("answer_distribution", COURSE, None).id]
    first = start_worker(environ, home, "first")
    seen: list[tuple[int, int]] = []
    try:
        def both_midway() -> bool:
            found = records(kampus, ids)
            seen.append(tuple(found[i].progress_current for i in ids))
            return all(found[i].state == "PROGRESS" and 200 <= found[i].progress_current < LEARNERS // 2
                       for i in ids)

        wait(both_midway, timeout=120)
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    assert len({progress for progress in seen if all(progress)}) >= 3, "progress advanced while running"
    left = records(kampus, ids)
    assert all(r.state == "PROGRESS" and r.worker for r in left.values()), "left running by the dead worker"
    second = start_worker(environ, home, "second")
    try:
        def finished() -> dict[str, TaskRecord] | None:
            found = records(kampus, ids)
            return found if all(r.finished for r in found.values()) else None

        done = wait(finished, timeout=240, interval=0.2)
        time.sleep(3)  # a later recovery round, or a stray duplicate message, must not run them again
        done = records(kampus, ids)
    finally:
        second.terminate()
        second.wait(60)
    log = (home / "second.log").read_text()
    for record in done.values():
        assert record.state == "SUCCESS", (record.error, log[-3000:])
        assert record.attempts == 2, log[-3000:]
        assert record.progress_current == record.progress_total == LEARNERS
    with kampus.db.session_scope() as db_session:
        files = list(db_session.scalars(sa.select(ReportFile).where(ReportFile.course_id == COURSE)))
        db_session.expunge_all()
    assert sorted(f.task_id for f in files) == sorted(ids), "one file per report, listed once"
    by_type = {f.report_type: f for f in files}
    grade_rows = list(csv.reader(io.StringIO(kampus.blob_store.get(by_type["grade_report"].blob_key).decode())))
    usernames = [row[2] for row in grade_rows[1:]]
    assert Counter(usernames) == Counter(seeded["usernames"]), "each learner's grade written once"
    for row in grade_rows[1:50]:
        mc, capital, number = scripted(int(row[2][4:]))
        expected = round(0.5 * (mc == "choice_1") + 0.5 * ((capital == "Paris") + (number == "4500")
                                                           + (number == "4400")) * 5 / 10, 2)
        assert float(row[3]) == pytest.approx(expected), row
    dist_rows = list(csv.reader(io.StringIO(
        kampus.blob_store.get(by_type["answer_distribution"].blob_key).decode())))
    got = Counter({(r[0], r[1], r[4], r[2]): int(r[3]) for r in dist_rows[1:]})
    assert got == seeded["expected_distribution"]
