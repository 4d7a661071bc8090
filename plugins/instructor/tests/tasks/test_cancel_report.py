"""Cancelling a running report from the Background Tasks API: it stops at its next batch, is recorded
CANCELLED, and leaves no report file."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from kampus_instructor.reports.models import ReportFile

from ..reports.conftest import COURSE, publish_graded_course
from ..reports.seed import seed_learners


@pytest.fixture
def app(make_app, kampus_plugins):
    return make_app(plugins=kampus_plugins, celery="real", settings={"instructor_report_batch_size": 5})


@pytest.fixture
def kampus_plugins():
    return ["content", "problems", "lms", "instructor"]


def test_cancel_running_grade_report(app, client_as):
    kampus = app.extensions["kampus"]
    usage = publish_graded_course(app)
    seed_learners(kampus, COURSE, usage, 1000)
    staff = client_as("staff")
    task_id = staff.post(f"/courses/{COURSE}/instructor/api/calculate_grades_csv").get_json()["task_id"]
    deadline = time.monotonic() + 60
    while True:
        task = next(t for t in staff.get(f"/api/instructor/v1/courses/{COURSE}/tasks").get_json()["results"]
                    if t["task_id"] == task_id)
        if task["progress"]["current"] > 0:
            break
        assert time.monotonic() < deadline and not task["finished"], task
        time.sleep(0.02)
    asked = staff.post(f"/api/instructor/v1/courses/{COURSE}/tasks/{task_id}/cancel")
    assert asked.status_code == 200 and asked.get_json()["cancel_requested"] is True
    while not task["finished"]:
        assert time.monotonic() < deadline
        time.sleep(0.05)
        task = next(t for t in staff.get(f"/api/instructor/v1/courses/{COURSE}/tasks").get_json()["results"]
                    if t["task_id"] == task_id)
    assert task["task_state"] == "CANCELLED" and task["status"] == "Cancelled"
    assert task["progress"]["current"] < 1000
    with kampus.db.session_scope() as db_session:
        assert db_session.scalar(sa.select(sa.func.count()).select_from(ReportFile)) == 0
    assert task["files"] == []
