"""Exported archives expire after ``content_export_ttl_hours``: the download answers 410 and the blob goes."""

from __future__ import annotations

import io
import tarfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from kampus_content.api import content_store
from kampus_content.olx.service import import_folder
from kampus_content.olx.tasks import EXPORT_PREFIX, sweep_expired_exports

from kampus.tasks.models import TaskRecord

COURSE_FOLDER = Path(__file__).resolve().parents[2] / "kampus_content" / "demo_course"


@pytest.fixture
def app(make_app):
    return make_app(plugins=["content"], settings={"content_export_ttl_hours": 2})


@pytest.fixture
def course(app) -> str:
    with app.app_context():
        return import_folder(COURSE_FOLDER, content_store(), user_id=None).course_key


def export(client, course: str) -> tuple[str, str]:
    task_id = client.post(f"/api/courses/v0/export/{course}/").get_json()["task_id"]
    status = client.get(f"/api/courses/v0/export/{course}/?task_id={task_id}").get_json()
    assert status["state"] == "Succeeded", status
    return task_id, status["task"]["result"]["output"]


def age_export(app, task_id: str, hours: float) -> None:
    with app.extensions["kampus"].db.session_scope() as db_session:
        db_session.execute(sa.update(TaskRecord).where(TaskRecord.id == task_id)
                           .values(finished_at=datetime.now(UTC) - timedelta(hours=hours)))


def test_an_export_downloads_within_its_lifetime_then_is_gone(app, client_as, course) -> None:
    client = client_as("instructor", course_id=course)
    task_id, output = export(client, course)
    url = f"/api/courses/v0/export/{course}/output?task_id={task_id}"
    age_export(app, task_id, 1.5)
    response = client.get(url)
    assert response.status_code == 200
    with tarfile.open(fileobj=io.BytesIO(response.data)) as tar:
        assert "course/course.xml" in tar.getnames()

    age_export(app, task_id, 2.5)
    expired = client.get(url)
    assert expired.status_code == 410
    assert expired.get_json()["error_code"] == "export_expired"
    assert not app.extensions["kampus"].blob_store.exists(output)
    assert client.get(url).status_code == 410


def test_the_next_export_sweeps_expired_archives(app, client_as, course, monkeypatch) -> None:
    client = client_as("instructor", course_id=course)
    _old_task, old_output = export(client, course)
    blobs = app.extensions["kampus"].blob_store
    with app.app_context():
        assert sweep_expired_exports() == []  # fresh: kept
        later = datetime.now(UTC) + timedelta(hours=3)
        assert sweep_expired_exports(now=later) == [old_output]
    assert not blobs.exists(old_output)

    # The export task sweeps by itself: an archive whose blob is older than the lifetime goes on the next export.
    _second_task, second_output = export(client, course)
    real_now = datetime.now

    class Later(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[override]
            return real_now(tz) + timedelta(hours=3)

    monkeypatch.setattr("kampus_content.olx.tasks.datetime", Later)
    _third_task, third_output = export(client, course)
    assert not blobs.exists(second_output)
    assert list(blobs.list(f"{EXPORT_PREFIX}/")) == [third_output]
