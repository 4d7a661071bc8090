"""Studio's import: resumable chunked uploads, the import task, and archives refused with nothing changed."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
from kampus_content.api import DRAFT, PUBLISHED, content_store, get_structure
from kampus_content.testing.xblocks import publish_course
from kampus_studio.transfer.models import StudioUpload

from kampus import current_kampus
from kampus.testing import client_as as make_client

from .conftest import archive_of, upload

COURSE = "course-v1:arbisoft+1252+2015_A20"
BASE = f"/api/studio/v1/courses/{COURSE}/import/uploads/"


CHUNK = 1024


@pytest.fixture
def small_chunks(make_app):
    return make_app(plugins=["content", "problems", "studio"], settings={"studio_import_chunk_bytes": CHUNK})


def test_chunked_upload_resumes_after_an_interrupted_chunk(small_chunks, corpus: Path) -> None:
    app = small_chunks
    client = make_client(app, "instructor", course_id=COURSE)
    data = archive_of(corpus / "edx-draft_ora_import_course")
    size = len(data)
    assert size > 2 * CHUNK  # at least three chunks

    def put(first: int, last: int, body: bytes):
        return client.put(BASE + upload_id, data=body, headers={"Content-Range": f"bytes {first}-{last}/{size}"})

    started = client.post(BASE, json={"filename": "ora.tar.gz", "size": size})
    assert started.status_code == 201
    body = started.get_json()
    assert body["next_offset"] == 0 and body["chunk_size"] == CHUNK and body["state"] == "uploading"
    upload_id = body["upload_id"]
    first = put(0, CHUNK - 1, data[:CHUNK])
    assert first.get_json() == {"upload_id": upload_id, "next_offset": CHUNK, "complete": False}
    # The connection drops in the middle of the second chunk: only part of it arrives.
    cut = put(CHUNK, 2 * CHUNK - 1, data[CHUNK:CHUNK + 300])
    assert cut.status_code == 400
    assert cut.get_json()["error_code"] == "incomplete_chunk" and cut.get_json()["next_offset"] == CHUNK
    # After reconnecting, the page asks where to resume.
    assert client.get(BASE + upload_id).get_json()["next_offset"] == CHUNK
    # A chunk sent twice (or out of order) is refused with the offset the server expects.
    again = put(0, CHUNK - 1, data[:CHUNK])
    assert again.status_code == 409 and again.get_json()["next_offset"] == CHUNK
    ahead = put(2 * CHUNK, 3 * CHUNK - 1, data[2 * CHUNK:3 * CHUNK])
    assert ahead.status_code == 409 and ahead.get_json()["next_offset"] == CHUNK
    # A chunk larger than the setting is refused.
    assert put(CHUNK, 3 * CHUNK - 1, data[CHUNK:3 * CHUNK]).status_code == 413
    # Finishing too early is refused.
    assert client.post(BASE + upload_id + "/finish").status_code == 409
    offset = CHUNK
    while offset < size:
        end = min(offset + CHUNK, size)
        answer = put(offset, end - 1, data[offset:end])
        assert answer.status_code == 200
        offset = answer.get_json()["next_offset"]
    finished = client.post(BASE + upload_id + "/finish")
    assert finished.status_code == 202
    status = client.get(BASE + upload_id).get_json()
    assert status["state"] == "succeeded", status
    assert status["progress"]["state"] == "SUCCESS" and status["progress"]["percent"] == 100
    # The orphan draft of the corpus course is reported with its file and line.
    [warning] = status["warnings"]
    assert warning["file"] == "drafts/vertical/032b3110988d475296ce895d0e8e5ee4.xml" and warning["line"] == 1
    with app.app_context():
        seq = ("sequential", "659172e9170a44c6883b81cd2ead972f")
        assert get_structure(COURSE, PUBLISHED).blocks[seq].children == []
        assert get_structure(COURSE, DRAFT).blocks[seq].children == [("vertical", "682ae7840a1e46a9be69fbc062950e38")]
        # The chunks are gone once imported.
        assert list(current_kampus().blob_store.list("studio-uploads/")) == []
    # A finished upload takes no more chunks and is not imported twice.
    assert client.post(BASE + upload_id + "/finish").status_code == 409
    assert put(size - 1, size - 1, data[-1:]).status_code == 409


def test_import_replaces_the_draft_of_an_existing_course(app, client_as, corpus: Path) -> None:
    course = "course-v1:KampusX+Replace+1"
    publish_course(app, course, {"old_unit": []})
    client = client_as("staff", course_id=course)
    status = upload(client, course, archive_of(corpus / "edx-two_toys"), 1 << 20)
    assert status["state"] == "succeeded", status
    with app.app_context():
        draft = get_structure(course, DRAFT)
        assert ("vertical", "old_unit") not in {block.key for block in draft.walk()}
        assert get_structure(course, PUBLISHED).version == draft.version
        assert content_store().history(course)[0].message == "OLX import"


def _tar(members: list[tuple[tarfile.TarInfo, bytes | None]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return buffer.getvalue()


def _file(name: str, data: bytes) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


def _link(name: str, target: str) -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type = tarfile.SYMTYPE
    info.linkname = target
    return info, None


COURSE_XML = b'<course url_name="r" org="KampusX" course="Bad"/>'
BAD_ARCHIVES = {
    "dotdot": ([_file("course/course.xml", COURSE_XML), _file("course/../../escape.txt", b"x")], "'..'"),
    "absolute": ([_file("course/course.xml", COURSE_XML), _file("/etc/evil.txt", b"x")], "absolute paths"),
    "symlink": ([_file("course/course.xml", COURSE_XML), _link("course/static/passwd", "/etc/passwd")], "links"),
    "bomb": ([_file("course/course.xml", COURSE_XML), _file("course/static/zeros.bin", b"\0" * (12 * 1024 * 1024))],
             "compression ratio"),
    "broken_xml": ([_file("course/course.xml", COURSE_XML),
                    _file("course/course/r.xml", b'<course display_name="x">\n<chapter>\n</course>')],
                   "not well-formed"),
}


@pytest.mark.parametrize("case", sorted(BAD_ARCHIVES))
def test_bad_archives_are_refused_and_change_nothing(app, client_as, case: str) -> None:
    course = "course-v1:KampusX+Bad+1"
    publish_course(app, course, {"kept_unit": []})
    with app.app_context():
        before = content_store().get_course_index(course).versions
    client = client_as("instructor", course_id=course)
    members, expected = BAD_ARCHIVES[case]
    status = upload(client, course, _tar(members), 1 << 20, filename=f"{case}.tar.gz")
    assert status["state"] == "failed"
    assert status["errors"] and any(expected in error["message"] for error in status["errors"]), status["errors"]
    assert status["progress"]["state"] == "FAILURE"
    with app.app_context():
        assert content_store().get_course_index(course).versions == before
        assert list(current_kampus().blob_store.list("studio-uploads/")) == []
    if case == "broken_xml":
        assert {k: status["errors"][0][k] for k in ("file", "line")} == {"file": "course/r.xml", "line": 3}
    page = client.get(f"/studio/course/{course}/import").get_data(as_text=True)
    assert "The import failed" in page and expected.strip("'") in page


def test_upload_requests_checked(app, client_as, client) -> None:
    course = "course-v1:KampusX+Checks+1"
    assert client.post(f"/api/studio/v1/courses/{course}/import/uploads/", json={}).status_code == 401
    learner = client_as("learner", course_id=course)
    assert learner.post(f"/api/studio/v1/courses/{course}/import/uploads/",
                        json={"filename": "a.tar.gz", "size": 10}).status_code == 403
    author = client_as("staff", course_id=course)
    base = f"/api/studio/v1/courses/{course}/import/uploads/"
    assert author.post(base, json={"filename": "a.zip", "size": 10}).get_json()["error_code"] == "wrong_format"
    assert author.post(base, json={"filename": "a.tar.gz", "size": -1}).status_code == 400
    huge = author.post(base, json={"filename": "a.tar.gz", "size": 10 ** 12})
    assert huge.status_code == 413 and "largest archive" in huge.get_json()["user_message"]
    upload_id = author.post(base, json={"filename": "a.tar.gz", "size": 10}).get_json()["upload_id"]
    assert author.put(base + upload_id, data=b"0123456789").get_json()["error_code"] == "bad_content_range"
    not_gzip = author.put(base + upload_id, data=b"0123456789", headers={"Content-Range": "bytes 0-9/10"})
    assert not_gzip.status_code == 400 and not_gzip.get_json()["error_code"] == "wrong_format"
    wrong_total = author.put(base + upload_id, data=b"\x1f\x8b", headers={"Content-Range": "bytes 0-1/99"})
    assert wrong_total.status_code == 400
    assert author.get(base + "0" * 32).status_code == 404
    other = client_as("staff", course_id="course-v1:KampusX+Other+1")
    assert other.get(base + upload_id).status_code == 403
    # Without the CSRF token a cookie session may not send chunks.
    assert author.put(base + upload_id, data=b"\x1f\x8b", headers={"Content-Range": "bytes 0-1/10"},
                      csrf=False).status_code in (400, 403)
    with app.app_context():
        assert app.extensions["kampus"].db.sessionmaker().get(StudioUpload, upload_id).received == 0


def test_bearer_token_uploads_without_csrf(app, client, corpus: Path) -> None:
    from kampus.identity import tokens
    from kampus.testing import make_user

    course = "course-v1:KampusX+Token+1"
    user = make_user(app, "instructor", course_id=course)
    with app.app_context():
        kampus = app.extensions["kampus"]
        with kampus.db.session_scope() as session:
            _record, token = tokens.create_token(session, session.merge(user), "import")
    headers = {"Authorization": f"Bearer {token}"}
    data = archive_of(corpus / "edx-simple")
    base = f"/api/studio/v1/courses/{course}/import/uploads/"
    started = client.post(base, json={"filename": "s.tar.gz", "size": len(data)}, headers=headers, csrf=False)
    assert started.status_code == 201, started.get_data(as_text=True)
    upload_id = started.get_json()["upload_id"]
    stored = client.put(base + upload_id, data=data, csrf=False,
                        headers={**headers, "Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}"})
    assert stored.status_code == 200, stored.get_data(as_text=True)
    assert client.post(base + upload_id + "/finish", headers=headers, csrf=False).status_code == 202
    assert client.get(base + upload_id, headers=headers).get_json()["state"] == "succeeded"
