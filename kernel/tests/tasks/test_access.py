"""Tasks a plugin lets users start, with a permission; listing a course's tasks; errors without tracebacks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from kampus_hookspecs import hookimpl

from kampus.errors import StartupError
from kampus.tasks.api import TaskContext, TaskRecord, startable_tasks, startable_with, submit, task_name
from kampus.testing import DEFAULT_COURSE, client_as

from .conftest import SamplePlugin

OTHER_COURSE = "course-v1:KampusX+Other+2026"
REPORT_PERMISSION = "sample.run_report"


@task_name("sample.report")
@startable_with(REPORT_PERMISSION)
def report(task: TaskContext, rows: int = 3) -> dict[str, Any]:
    return {"course_id": task.course_id, "rows": rows}


@task_name("sample.report_fails")
@startable_with(REPORT_PERMISSION)
def report_fails(task: TaskContext) -> None:
    raise RuntimeError("secret path /srv/data/grades.csv\nsecond line of detail")


class ReportPlugin:
    @hookimpl
    def kampus_celery_tasks(self) -> list[Callable[..., Any]]:
        return [report, report_fails]

    @hookimpl
    def kampus_permissions(self) -> dict[str, list[str]]:
        return {REPORT_PERMISSION: ["instructor", "staff"]}


@pytest.fixture
def app(make_app):
    return make_app(plugins=[SamplePlugin(), ReportPlugin()])


def start(client, **body):
    return client.post("/api/tasks/v1/tasks/", json=body)


def test_a_course_role_with_the_permission_starts_the_task_in_its_course(app):
    instructor = client_as(app, "instructor")  # in DEFAULT_COURSE
    response = start(instructor, name="sample.report", course_id=DEFAULT_COURSE, kwargs={"rows": 7})
    assert response.status_code == 202
    body = response.get_json()
    assert body["state"] == "SUCCESS" and body["course_id"] == DEFAULT_COURSE
    assert body["result"] == {"course_id": DEFAULT_COURSE, "rows": 7}  # the checked course reaches the task
    assert body["user_id"] == instructor.user.id


def test_starting_is_refused_without_the_permission_where_it_is_asked(app):
    instructor, learner = client_as(app, "instructor"), client_as(app, "learner")
    user = client_as(app, "user")
    assert start(instructor, name="sample.report", course_id=OTHER_COURSE).status_code == 403  # another course
    assert start(instructor, name="sample.report").status_code == 403  # no course: site-wide, not held
    assert start(learner, name="sample.report", course_id=DEFAULT_COURSE).status_code == 403
    assert start(user, name="kampus.tasks.demo.count").status_code == 403  # global staff only
    with app.app_context():
        assert startable_tasks(instructor.user, DEFAULT_COURSE) == ["sample.report", "sample.report_fails"]
        assert startable_tasks(instructor.user, OTHER_COURSE) == []
        assert startable_tasks(learner.user, DEFAULT_COURSE) == []
    in_course = {"course_id": DEFAULT_COURSE}
    listed = instructor.get("/api/tasks/v1/startable/", query_string=in_course).get_json()["results"]
    assert listed == ["sample.report", "sample.report_fails"]
    assert learner.get("/api/tasks/v1/startable/", query_string=in_course).get_json()["results"] == []


def test_bad_start_requests_get_a_message_and_start_nothing(app):
    staff = client_as(app, "global_staff")
    cases = [
        ({"name": "sample.add", "kwargs": {"a": 1, "b": 2}}, "can be started here"),  # not declared startable
        ({"name": "no.such.task"}, "can be started here"),
        ({"name": ""}, "'name'"),
        ({"name": "sample.report", "course_id": "not a course"}, "not a course id"),
        ({"name": "sample.report", "course_id": DEFAULT_COURSE, "kwargs": {"course_id": OTHER_COURSE}}, "beside"),
        ({"name": "sample.report", "course_id": DEFAULT_COURSE, "kwargs": {"colour": "red"}}, "Wrong arguments"),
        ({"name": "sample.report", "kwargs": []}, "'kwargs' must be an object"),
    ]
    for body, message in cases:
        response = start(staff, **body)
        assert response.status_code == 400, body
        assert message in response.get_json()["error"]["message"], body
    assert staff.post("/api/tasks/v1/tasks/", data="nope").status_code == 400
    assert staff.get("/api/tasks/v1/tasks/").get_json()["results"] == []  # nothing was recorded


def test_tasks_listed_by_course_show_only_what_the_user_may_see(app):
    instructor, colleague = client_as(app, "instructor"), client_as(app, "staff")
    learner, staff = client_as(app, "learner"), client_as(app, "global_staff")
    assert start(colleague, name="sample.report", course_id=DEFAULT_COURSE).status_code == 202
    with app.app_context():
        mine = submit("sample.add", 1, 2, user_id=learner.user.id, course_id=DEFAULT_COURSE)
        private = submit("sample.add", 3, 4, user_id=colleague.user.id, course_id=DEFAULT_COURSE)
        elsewhere = submit("sample.report", course_id=OTHER_COURSE, user_id=staff.user.id)
    colleague_report = start(colleague, name="sample.report", course_id=DEFAULT_COURSE, key="k").get_json()["id"]

    def listed(client, course_id=DEFAULT_COURSE):
        response = client.get("/api/tasks/v1/tasks/", query_string={"course_id": course_id})
        assert response.status_code == 200
        return {item["id"] for item in response.get_json()["results"]}

    # The instructor sees the course's reports (which they may start there), not a colleague's other tasks.
    instructor_sees = listed(instructor)
    assert colleague_report in instructor_sees and private.id not in instructor_sees
    assert elsewhere.id not in instructor_sees and listed(instructor, OTHER_COURSE) == set()
    assert instructor.get(f"/api/tasks/v1/tasks/{colleague_report}").status_code == 200
    assert instructor.get(f"/api/tasks/v1/tasks/{private.id}").status_code == 403
    assert listed(learner) == {mine.id}
    assert learner.get(f"/api/tasks/v1/tasks/{colleague_report}").status_code == 403
    assert {colleague_report, private.id, mine.id} <= listed(staff) and elsewhere.id not in listed(staff)
    assert listed(staff, OTHER_COURSE) == {elsewhere.id}
    assert instructor.get("/api/tasks/v1/tasks/?course_id=nonsense").status_code == 400
    assert instructor.get("/tasks/?course_id=nonsense").status_code == 400
    page = instructor.get("/tasks/", query_string={"course_id": DEFAULT_COURSE}).get_data(as_text=True)
    assert colleague_report in page and private.id not in page


def test_a_failed_task_shows_no_traceback_to_anyone(app, caplog):
    instructor, staff = client_as(app, "instructor"), client_as(app, "global_staff")
    response = start(instructor, name="sample.report_fails", course_id=DEFAULT_COURSE)
    assert response.status_code == 202
    task_id = response.get_json()["id"]
    assert "secret path" not in response.get_data(as_text=True)
    owner_view = instructor.get(f"/api/tasks/v1/tasks/{task_id}").get_json()
    assert owner_view["state"] == "FAILURE" and "secret path" not in owner_view["error"]
    staff_view = staff.get(f"/api/tasks/v1/tasks/{task_id}").get_json()
    assert staff_view["error"] == "RuntimeError: secret path /srv/data/grades.csv"  # the one-line message
    for client in (instructor, staff):
        for url in (f"/api/tasks/v1/tasks/{task_id}", f"/tasks/{task_id}", "/api/tasks/v1/tasks/", "/tasks/"):
            text = client.get(url).get_data(as_text=True)
            assert "Traceback" not in text and "second line of detail" not in text and "test_access.py" not in text
    logged = "\n".join(record.getMessage() + (str(record.exc_info) if record.exc_info else "")
                       for record in caplog.records)
    assert "report_fails" in logged and "secret path" in logged  # the detail is in the server log


class UndeclaredPermissionPlugin:
    @hookimpl
    def kampus_celery_tasks(self) -> list[Callable[..., Any]]:
        @task_name("sample.undeclared")
        @startable_with("sample.nobody_declares_this")
        def undeclared(task: TaskContext) -> None:
            return None

        return [undeclared]


def test_a_startable_task_with_an_undeclared_permission_stops_start_up(make_app):
    with pytest.raises(StartupError, match="sample.undeclared.*sample.nobody_declares_this"):
        make_app(plugins=[UndeclaredPermissionPlugin()])


def test_an_old_record_holding_a_traceback_shows_only_its_first_line(app):
    staff = client_as(app, "global_staff")
    with app.app_context():
        record = submit("sample.boom", user_id=staff.user.id)
    kampus = app.extensions["kampus"]
    with kampus.db.session_scope() as db_session:  # as the runner wrote errors before
        db_session.get(TaskRecord, record.id).error = (
            'ValueError: boom\n\nTraceback (most recent call last):\n  File "x.py", line 1\n')
    assert staff.get(f"/api/tasks/v1/tasks/{record.id}").get_json()["error"] == "ValueError: boom"
    page = staff.get(f"/tasks/{record.id}").get_data(as_text=True)
    assert "ValueError: boom" in page and "Traceback" not in page
