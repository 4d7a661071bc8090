"""Open edX's course import/export REST API, run as background tasks."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
from kampus_content.api import content_store

COURSE = "course-v1:KampusX+Api101+2026"


def archive_of(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(folder, arcname="course")
    return buffer.getvalue()


@pytest.fixture
def app(make_app):
    return make_app(plugins=["content"])


def test_import_then_export_through_the_api(app, client_as, corpus: Path) -> None:
    client = client_as("instructor", course_id=COURSE)
    data = archive_of(corpus / "edx-two_toys")
    response = client.post(f"/api/courses/v0/import/{COURSE}/",
                           data={"course_data": (io.BytesIO(data), "toys.tar.gz")})
    assert response.status_code == 200, response.get_data(as_text=True)
    task_id = response.get_json()["task_id"]
    status = client.get(f"/api/courses/v0/import/{COURSE}/?task_id={task_id}&filename=toys.tar.gz").get_json()
    assert status["state"] == "Succeeded", status
    assert status["task"]["result"]["course_key"] == COURSE
    with app.app_context():
        assert content_store().get_course_index(COURSE).published_version is not None

    task_id = client.post(f"/api/courses/v0/export/{COURSE}/").get_json()["task_id"]
    assert client.get(f"/api/courses/v0/export/{COURSE}/?task_id={task_id}").get_json()["state"] == "Succeeded"
    download = client.get(f"/api/courses/v0/export/{COURSE}/output?task_id={task_id}")
    assert download.status_code == 200
    with tarfile.open(fileobj=io.BytesIO(download.data)) as tar:
        assert "course/course.xml" in tar.getnames()


def test_a_refused_archive_fails_the_task_with_its_reason(app, client_as, tmp_path: Path) -> None:
    client = client_as("instructor", course_id=COURSE)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("../escape.txt")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    response = client.post(f"/api/courses/v0/import/{COURSE}/",
                           data={"course_data": (io.BytesIO(buffer.getvalue()), "evil.tar.gz")})
    task_id = response.get_json()["task_id"]
    status = client.get(f"/api/courses/v0/import/{COURSE}/?task_id={task_id}").get_json()
    assert status["state"] == "Failed"
    assert "'..'" in status["task"]["error"]
    with app.app_context():
        assert content_store().list_courses() == []


def test_permissions_and_bad_requests(app, client_as, client) -> None:
    assert client.post(f"/api/courses/v0/import/{COURSE}/").status_code == 401
    learner = client_as("learner", course_id=COURSE)
    assert learner.post(f"/api/courses/v0/import/{COURSE}/").status_code == 403
    instructor = client_as("instructor", course_id=COURSE)
    assert instructor.post(f"/api/courses/v0/import/{COURSE}/").status_code == 400
    wrong = instructor.post(f"/api/courses/v0/import/{COURSE}/", data={"course_data": (io.BytesIO(b"x"), "c.zip")})
    assert wrong.status_code == 400
    assert instructor.get("/api/courses/v0/import/not-a-key/?task_id=x").status_code == 404
    assert instructor.post(f"/api/courses/v0/import/{COURSE}/", csrf=False).status_code == 400


def test_import_size_limit_is_its_own(make_app, corpus: Path) -> None:
    """Archives may be larger than other requests (max_request_bytes), up to content_import_max_bytes."""
    from kampus.testing import client_as as make_client

    data = archive_of(corpus / "edx-two_toys")
    app = make_app(plugins=["content"], settings={"max_request_bytes": 1024, "content_import_max_bytes": 10**7})
    client = make_client(app, "instructor", course_id=COURSE)
    response = client.post(f"/api/courses/v0/import/{COURSE}/", data={"course_data": (io.BytesIO(data), "t.tar.gz")})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert client.post("/logout", data={"padding": "x" * 4096}).status_code == 413

    small = make_app(plugins=["content"], settings={"content_import_max_bytes": 100})
    client = make_client(small, "instructor", course_id=COURSE)
    response = client.post(f"/api/courses/v0/import/{COURSE}/", data={"course_data": (io.BytesIO(data), "t.tar.gz")})
    assert response.status_code == 413
    assert response.is_json
