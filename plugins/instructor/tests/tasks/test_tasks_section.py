"""The Background Tasks section: the course's tasks (requester, progress, duration, files, errors) and cancel."""

from __future__ import annotations

import pytest

from kampus.db import utcnow
from kampus.tasks.models import CANCELLED, PENDING, PROGRESS, TaskRecord

from ..reports.conftest import COURSE, enroll_many, publish_graded_course

API = f"/courses/{COURSE}/instructor/api"


@pytest.fixture
def kampus_plugins():
    return ["content", "problems", "lms", "instructor"]


def add_record(app, record_id: str, state: str, course_id: str = COURSE, user_id=None, **fields):
    with app.extensions["kampus"].db.session_scope() as db_session:
        db_session.add(TaskRecord(id=record_id, name="instructor.reports.grade_report", course_id=course_id,
                                  state=state, user_id=user_id, arguments={"args": [], "kwargs": {}}, **fields))


def test_list_shows_requester_state_files_and_duration(app, client_as):
    publish_graded_course(app)
    enroll_many(app, 3)
    staff = client_as("staff")
    assert staff.post(f"{API}/calculate_grades_csv").status_code == 200
    add_record(app, "running-1", PROGRESS, progress_current=2, progress_total=8, progress_message="Grading",
               started_at=utcnow())
    add_record(app, "elsewhere", PROGRESS, course_id="course-v1:Other+X+1")
    running = staff.post(f"{API}/list_instructor_tasks").get_json()["tasks"]
    assert [t["task_id"] for t in running] == ["running-1"]  # Open edX's default: the running ones
    assert running[0]["progress"]["percent"] == 25.0 and running[0]["task_message"] == "Grading"
    every = staff.post(f"{API}/list_instructor_tasks", data={"include_finished": "true"}).get_json()["tasks"]
    done = next(t for t in every if t["task_state"] == "SUCCESS")
    assert done["requester"] == staff.user.username
    assert done["task_type"] == "instructor.reports.grade_report"
    assert done["duration_sec"] is not None and done["status"] == "Complete"
    assert len(done["files"]) == 1 and done["files"][0]["name"].endswith(".csv")
    assert staff.get(done["files"][0]["url"]).status_code == 200
    assert "elsewhere" not in {t["task_id"] for t in every}
    api = staff.get(f"/api/instructor/v1/courses/{COURSE}/tasks?state=running").get_json()["results"]
    assert [t["task_id"] for t in api] == ["running-1"]
    assert staff.get(f"/api/instructor/v1/courses/{COURSE}/tasks?state=bogus").status_code == 400
    page = staff.get(f"/courses/{COURSE}/instructor/tasks")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "instructor.reports.grade_report" in html and staff.user.username in html


def test_ta_reads_but_cannot_cancel(app, client_as):
    add_record(app, "pending-1", PENDING)
    ta = client_as("ta")
    assert ta.post(f"{API}/list_instructor_tasks").status_code == 200
    refused = ta.post(f"/api/instructor/v1/courses/{COURSE}/tasks/pending-1/cancel")
    assert refused.status_code == 403
    assert client_as("learner").post(f"{API}/list_instructor_tasks").status_code == 403
    assert app.test_client().post(f"{API}/list_instructor_tasks").status_code == 401


def test_cancel_pending_and_running(app, client_as):
    add_record(app, "pending-2", PENDING)
    add_record(app, "running-2", PROGRESS, started_at=utcnow())
    staff = client_as("staff")
    cancelled = staff.post(f"/api/instructor/v1/courses/{COURSE}/tasks/pending-2/cancel")
    assert cancelled.status_code == 200 and cancelled.get_json()["task_state"] == CANCELLED
    asked = staff.post(f"/api/instructor/v1/courses/{COURSE}/tasks/running-2/cancel").get_json()
    assert asked["task_state"] == PROGRESS and asked["cancel_requested"] is True
    assert staff.post(f"/api/instructor/v1/courses/{COURSE}/tasks/nope/cancel").status_code == 404
    add_record(app, "other-course", PENDING, course_id="course-v1:Other+X+1")
    assert staff.post(f"/api/instructor/v1/courses/{COURSE}/tasks/other-course/cancel").status_code == 404


def test_requester_may_cancel_own_task(app, client_as):
    ta = client_as("ta")
    add_record(app, "mine", PENDING, user_id=ta.user.id)
    assert ta.post(f"/api/instructor/v1/courses/{COURSE}/tasks/mine/cancel").status_code == 200
