"""Task pages and JSON API: access, live progress, errors, the demo task."""

from __future__ import annotations

import uuid

import pytest

from kampus.tasks.api import submit
from kampus.testing import client_as

from .conftest import GATES, SamplePlugin, finished_record, wait_for

FIELDS = {"id", "name", "state", "progress", "result", "error", "user_id", "created_at", "started_at", "finished_at"}


@pytest.fixture
def app(make_app):
    return make_app(plugins=[SamplePlugin()])


def test_owner_sees_page_and_api(app):
    owner = client_as(app, "user")
    with app.app_context():
        record = submit("sample.add", 1, 2, user_id=owner.user.id)
    page = owner.get(f"/tasks/{record.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "sample.add" in html and 'data-task-url="/api/tasks/v1/tasks/' in html and "<script>" not in html
    body = owner.get(f"/api/tasks/v1/tasks/{record.id}").get_json()
    assert set(body) >= FIELDS
    assert body["state"] == "SUCCESS" and body["result"] == 3 and body["user_id"] == owner.user.id
    assert body["progress"]["percent"] == 100.0
    listed = owner.get("/api/tasks/v1/tasks/").get_json()["results"]
    assert [item["id"] for item in listed] == [record.id]
    assert "sample.add" in owner.get("/tasks/").get_data(as_text=True)


def test_access(app, client):
    owner, other, staff = client_as(app, "user"), client_as(app, "user"), client_as(app, "global_staff")
    with app.app_context():
        record = submit("sample.add", 1, 2, user_id=owner.user.id)
    assert other.get(f"/tasks/{record.id}").status_code == 403
    assert other.get(f"/api/tasks/v1/tasks/{record.id}").status_code == 403
    assert other.get("/api/tasks/v1/tasks/").get_json()["results"] == []
    assert staff.get(f"/tasks/{record.id}").status_code == 200
    assert staff.get(f"/api/tasks/v1/tasks/{record.id}").status_code == 200
    assert owner.get("/tasks/nope").status_code == 404
    assert owner.get("/api/tasks/v1/tasks/nope").status_code == 404
    assert client.get(f"/api/tasks/v1/tasks/{record.id}").status_code == 401
    assert client.get(f"/tasks/{record.id}").status_code == 302  # to the login page


def test_failure_error_shown_to_staff_only(app):
    owner, staff = client_as(app, "user"), client_as(app, "global_staff")
    with app.app_context():
        record = submit("sample.boom", user_id=owner.user.id)
    owner_json = owner.get(f"/api/tasks/v1/tasks/{record.id}").get_json()
    assert owner_json["state"] == "FAILURE"
    assert "boom went the task" not in owner_json["error"] and "failed" in owner_json["error"]
    assert "boom went the task" not in owner.get(f"/tasks/{record.id}").get_data(as_text=True)
    staff_json = staff.get(f"/api/tasks/v1/tasks/{record.id}").get_json()
    assert staff_json["error"].startswith("ValueError: boom went the task")
    assert "boom went the task" in staff.get(f"/tasks/{record.id}").get_data(as_text=True)


def test_demo_button_staff_only(app):
    staff, user = client_as(app, "global_staff"), client_as(app, "user")
    assert 'id="run-demo-task"' in staff.get("/tasks/").get_data(as_text=True)
    assert 'id="run-demo-task"' not in user.get("/tasks/").get_data(as_text=True)
    assert user.post("/tasks/demo").status_code == 403
    assert staff.post("/tasks/demo", csrf=False).status_code == 400  # CSRF required
    app.extensions["kampus"].celery.conf.task_always_eager = False  # don't sleep through it in the test
    response = staff.post("/tasks/demo")  # the message waits on the memory transport
    assert response.status_code == 302
    task_url = response.headers["Location"]
    page = staff.get(task_url)
    assert page.status_code == 200 and "kampus.tasks.demo.count" in page.get_data(as_text=True)
    record = staff.get("/api/tasks/v1/tasks/").get_json()["results"][0]
    assert record["name"] == "kampus.tasks.demo.count" and record["user_id"] == staff.user.id
    assert record["state"] == "PENDING"


def test_demo_task_counts(app):
    with app.app_context():
        record = submit("kampus.tasks.demo.count", n=3, delay=0)
    record = finished_record(app, record.id)
    assert record.state == "SUCCESS" and record.result == {"counted": 3, "attempt": 1}
    assert record.progress_message == "Counted to 3"


def test_api_submit(app):
    staff, user = client_as(app, "global_staff"), client_as(app, "user")
    body = {"name": "kampus.tasks.demo.count", "kwargs": {"n": 2, "delay": 0}}
    assert user.post("/api/tasks/v1/tasks/", json=body).status_code == 403
    assert staff.post("/api/tasks/v1/tasks/", json={"name": "sample.add"}).status_code == 400  # not allowed
    assert staff.post("/api/tasks/v1/tasks/", data="nope").status_code == 400
    response = staff.post("/api/tasks/v1/tasks/", json=body)
    assert response.status_code == 202
    assert response.get_json()["state"] == "SUCCESS"
    assert response.headers["Location"].endswith(response.get_json()["id"])


@pytest.mark.rabbitmq
def test_live_progress_through_api(make_app):
    from .conftest import rabbitmq_url

    app = make_app(plugins=[SamplePlugin()], celery="real", settings={"celery_broker_url": rabbitmq_url()})
    owner = client_as(app, "user")
    token = uuid.uuid4().hex
    with app.app_context():
        record = submit("sample.stepper", token, user_id=owner.user.id)
    url = f"/api/tasks/v1/tasks/{record.id}"
    running = wait_for(lambda: (body := owner.get(url).get_json())["state"] == "PROGRESS" and body)
    assert running["progress"] == {"current": 1, "total": 4, "percent": 25.0, "message": "step one"}
    assert running["started_at"] and not running["finished_at"]
    GATES[token].set()
    done = wait_for(lambda: (body := owner.get(url).get_json())["state"] == "SUCCESS" and body)
    assert done["result"] == "done" and done["progress"]["percent"] == 100.0
