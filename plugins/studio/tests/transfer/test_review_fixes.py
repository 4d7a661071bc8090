"""Regressions from the review of Studio's import uploads (issue 18): caps on open uploads, the sweep of
stuck imports, a queue failure at finish, huge Content-Range numbers, and duplicate chunks that must not
replace a counted one."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from kampus_content.testing.xblocks import publish_course
from kampus_studio.transfer import uploads
from kampus_studio.transfer.models import IMPORTING, UPLOADING, StudioUpload

from kampus import current_kampus, db
from kampus.db import utcnow
from kampus.testing import client_as as make_client

from .conftest import archive_of

COURSE = "course-v1:Review+R1+2026"
BASE = f"/api/studio/v1/courses/{COURSE}/import/uploads/"


@pytest.fixture
def capped(make_app):
    app = make_app(plugins=["content", "problems", "studio"],
                   settings={"studio_import_max_open_uploads_per_user": 2,
                             "studio_import_max_open_uploads_per_course": 3})
    publish_course(app, COURSE, {"u": []})
    return app


def _start(client, size: int = 10):
    return client.post(BASE, json={"filename": "a.tar.gz", "size": size})


def test_open_uploads_are_capped_per_user_and_per_course(capped):
    first = make_client(capped, "staff", course_id=COURSE)
    assert [_start(first).status_code for _ in range(2)] == [201, 201]
    refused = _start(first)
    assert refused.status_code == 429 and refused.get_json()["error_code"] == "too_many_uploads"
    second = make_client(capped, "staff", course_id=COURSE)
    assert _start(second).status_code == 201  # the course's third
    assert _start(second).status_code == 429  # the course's fourth
    with capped.app_context():
        assert db.session().scalar(sa.select(sa.func.count()).select_from(StudioUpload)) == 3


def test_stale_uploads_free_their_place(capped):
    client = make_client(capped, "staff", course_id=COURSE)
    assert [_start(client).status_code for _ in range(2)] == [201, 201]
    with capped.app_context():
        session = db.session()
        session.execute(sa.update(StudioUpload).values(updated_at=utcnow() - timedelta(days=3)))
        session.commit()
    assert _start(client).status_code == 201


def test_an_upload_stuck_importing_without_a_task_is_put_back(capped):
    client = make_client(capped, "staff", course_id=COURSE)
    upload_id = _start(client).get_json()["upload_id"]
    with capped.app_context():
        session = db.session()
        session.execute(sa.update(StudioUpload).values(state=IMPORTING, task_id=None,
                                                       updated_at=utcnow() - timedelta(hours=1)))
        session.commit()
    _start(client)
    assert client.get(BASE + upload_id).get_json()["state"] == UPLOADING


def test_a_queue_failure_at_finish_leaves_the_upload_finishable(capped, corpus: Path, monkeypatch):
    client = make_client(capped, "staff", course_id=COURSE)
    data = archive_of(corpus / "edx-2014_static_tabs")
    upload_id = _start(client, len(data)).get_json()["upload_id"]
    stored = client.put(BASE + upload_id, data=data,
                        headers={"Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}"})
    assert stored.status_code == 200, stored.get_json()

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(uploads, "submit", broker_down)
    failed = client.post(BASE + upload_id + "/finish")
    assert failed.status_code == 503
    assert failed.get_json()["error_code"] == "queue_unavailable"
    state = client.get(BASE + upload_id).get_json()
    assert state["state"] == UPLOADING and state["task_id"] is None
    monkeypatch.undo()
    again = client.post(BASE + upload_id + "/finish")
    assert again.status_code == 202, again.get_json()
    assert client.get(BASE + upload_id).get_json()["state"] == "succeeded"


def test_huge_content_range_numbers_are_a_400(capped):
    client = make_client(capped, "staff", course_id=COURSE)
    upload_id = _start(client).get_json()["upload_id"]
    answer = client.put(BASE + upload_id, data=b"\x1f\x8b",
                        headers={"Content-Range": "bytes 0-1/" + "9" * 5000})
    assert answer.status_code == 400
    assert answer.get_json()["error_code"] == "bad_content_range"


def test_a_duplicate_chunk_never_replaces_the_counted_one(capped):
    client = make_client(capped, "staff", course_id=COURSE)
    winner, loser = b"\x1f\x8b" + b"A" * 8, b"\x1f\x8b" + b"B" * 8
    upload_id = _start(client, 10).get_json()["upload_id"]
    with capped.test_request_context():
        stale = uploads.get_upload(COURSE, upload_id)  # as a concurrent request read it: nothing received
        # Meanwhile another request stored and counted the same range with other bytes.
        current_kampus().blob_store.put(uploads.chunk_key(upload_id, 0), winner, "application/octet-stream")
        with current_kampus().db.engine.begin() as other:  # another request's own connection
            other.execute(sa.update(StudioUpload.__table__).where(StudioUpload.__table__.c.id == upload_id)
                          .values(received=10, chunks=1))
        assert stale.received == 0
        with pytest.raises(uploads.UploadError) as refused:
            uploads.put_chunk(stale, uploads.ContentRange(0, 9, 10), loser)
        assert refused.value.status == 409
        assert current_kampus().blob_store.get(uploads.chunk_key(upload_id, 0)) == winner


def test_resuming_with_another_file_is_refused(capped):
    import hashlib

    client = make_client(capped, "staff", course_id=COURSE)
    data = b"\x1f\x8b" + b"A" * 69998
    other = b"\x1f\x8b" + b"B" * 69998
    upload_id = _start(client, len(data)).get_json()["upload_id"]

    def put(first: int, last: int, body: bytes, whole: bytes):
        return client.put(BASE + upload_id, data=body, headers={
            "Content-Range": f"bytes {first}-{last}/{len(data)}",
            "X-Kampus-File-Fingerprint": hashlib.sha256(whole[:65536]).hexdigest()})

    assert put(0, 65999, data[:66000], data).status_code == 200
    refused = put(66000, 69999, other[66000:], other)
    assert refused.status_code == 409 and refused.get_json()["error_code"] == "different_file"
    assert client.get(BASE + upload_id).get_json()["next_offset"] == 66000
    assert put(66000, 69999, data[66000:], data).status_code == 200
