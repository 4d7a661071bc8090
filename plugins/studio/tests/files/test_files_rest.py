"""Studio's files REST API (``/api/studio/v1/courses/<course_id>/assets/``) with a bearer token,
in the OpenAPI document."""

from __future__ import annotations

import io
from typing import Any

from kampus.identity.models import User
from kampus.identity.tokens import create_token
from kampus.testing import make_user

from .conftest import API, COURSE, draft_files, draft_version


def bearer(app: Any, role: str) -> dict[str, str]:
    """A personal API token of a new user holding ``role`` in the course."""
    user = make_user(app, role, course_id=COURSE)
    with app.app_context(), app.extensions["kampus"].db.session_scope() as db_session:
        _record, token = create_token(db_session, db_session.get(User, user.id), "studio files")
    return {"Authorization": f"Bearer {token}"}


def post_files(client, headers, *files, locked=False):
    data: dict[str, Any] = {"file": [(io.BytesIO(body), name) for name, body in files]}
    if locked:
        data["locked"] = "true"
    return client.post(API, data=data, headers=headers, content_type="multipart/form-data")


def test_upload_list_lock_delete_with_a_bearer_token(app, course):
    headers = bearer(app, "staff")
    client = app.test_client()
    created = post_files(client, headers, ("syllabus.pdf", b"%PDF syllabus"), ("diagram.png", b"\x89PNG diagram"))
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["msg"] == "Upload completed"
    assert [asset["display_name"] for asset in body["assets"]] == ["syllabus.pdf", "diagram.png"]
    asset = body["asset"]
    key = f"asset-v1:{COURSE.split(':', 1)[1]}+type@asset+block@syllabus.pdf"
    assert asset["id"] == key
    assert asset["url"] == "/" + key
    assert asset["portable_url"] == "/static/syllabus.pdf"
    assert asset["content_type"] == "application/pdf"
    assert asset["locked"] is False
    assert asset["size"] == len(b"%PDF syllabus")
    assert asset["date_added"]
    assert body["assets"][1]["thumbnail"]  # images have one
    assert asset["thumbnail"] is None

    listing = client.get(API, query_string={"sort": "display_name", "direction": "asc"}, headers=headers)
    assert listing.status_code == 200
    page = listing.get_json()
    assert page["totalCount"] == 2 and page["page"] == 0 and page["start"] == 0 and page["end"] == 2
    assert [item["display_name"] for item in page["assets"]] == ["diagram.png", "syllabus.pdf"]
    searched = client.get(API, query_string={"text_search": "syll", "asset_type": "Documents"}, headers=headers)
    assert [item["name"] for item in searched.get_json()["assets"]] == ["syllabus.pdf"]
    paged = client.get(API, query_string={"page_size": 1, "page": 1, "sort": "display_name", "direction": "asc"},
                       headers=headers).get_json()
    assert [item["name"] for item in paged["assets"]] == ["syllabus.pdf"] and paged["start"] == 1

    # one file, by asset key or by name; lock it with the version the client saw
    assert client.get(API + key, headers=headers).get_json()["display_name"] == "syllabus.pdf"
    assert client.get(API + "syllabus.pdf", headers=headers).status_code == 200
    locked = client.put(API + key, json={"locked": True, "expected_version": page["draft_version"]}, headers=headers)
    assert locked.status_code == 200, locked.get_json()
    assert locked.get_json()["locked"] is True
    assert draft_files(app)["syllabus.pdf"] is True
    assert client.patch(API + "syllabus.pdf", json={"locked": False}, headers=headers).get_json()["locked"] is False

    deleted = client.delete(API + key, headers=headers)
    assert deleted.status_code == 204
    assert draft_files(app) == {"diagram.png": False}
    assert client.delete(API + key, headers=headers).status_code == 404


def test_upload_locked_files(app, course):
    headers = bearer(app, "instructor")
    created = post_files(app.test_client(), headers, ("key.pdf", b"%PDF key"), locked=True)
    assert created.get_json()["asset"]["locked"] is True
    assert draft_files(app) == {"key.pdf": True}


def test_refusals_store_nothing(app, course):
    headers = bearer(app, "staff")
    client = app.test_client()
    version = draft_version(app)
    too_big = post_files(client, headers, ("ok.txt", b"ok"), ("movie.mp4", b"0" * (1024 * 1024 + 10)))
    assert too_big.status_code == 413
    assert too_big.get_json()["developer_message"] == "File movie.mp4 exceeds maximum size of 1 MB."
    assert too_big.get_json()["field_errors"]["file"]["user_message"]
    program = post_files(client, headers, ("run.exe", b"MZ.."))
    assert program.status_code == 400
    assert "files of type .exe" in program.get_json()["user_message"]
    missing = client.post(API, data={}, headers=headers, content_type="multipart/form-data")
    assert missing.status_code == 400
    assert draft_files(app) == {}
    assert draft_version(app) == version


def test_errors(app, course):
    staff = bearer(app, "staff")
    client = app.test_client()
    post_files(client, staff, ("a.txt", b"a"))
    assert client.get(API).status_code == 401
    assert client.get(API, headers={"Authorization": "Bearer kmp_wrong"}).status_code == 401
    assert client.get(API, headers=bearer(app, "learner")).status_code == 403
    assert client.put(API + "a.txt", json={"locked": True}, headers=bearer(app, "ta")).status_code == 403
    assert client.get(API + "nope.txt", headers=staff).status_code == 404
    assert client.put(API + "nope.txt", json={"locked": True}, headers=staff).status_code == 404
    assert client.get("/api/studio/v1/courses/course-v1:No+Such+Run/assets/", headers=staff).status_code in (403, 404)
    other_course_key = "asset-v1:Other+Course+Run+type@asset+block@a.txt"
    assert client.get(API + other_course_key, headers=staff).status_code == 404
    bad = client.put(API + "a.txt", json={"locked": "maybe"}, headers=staff)
    assert bad.status_code == 400
    assert "field_errors" in bad.get_json()
    # a stale version: 409, nothing changed
    stale = draft_version(app)
    post_files(client, staff, ("b.txt", b"b"))
    conflict = client.put(API + "a.txt", json={"locked": True, "expected_version": stale}, headers=staff)
    assert conflict.status_code == 409
    assert "Reload" in conflict.get_json()["user_message"]
    assert client.delete(API + "a.txt", query_string={"expected_version": stale}, headers=staff).status_code == 409
    assert draft_files(app) == {"a.txt": False, "b.txt": False}


def test_cookie_sessions_need_the_csrf_token(app, client_as, course):
    author = client_as("staff", course_id=COURSE)
    refused = author.post(API, data={"file": (io.BytesIO(b"x"), "x.txt")}, content_type="multipart/form-data",
                          csrf=False)
    assert refused.status_code == 400
    assert draft_files(app) == {}
    assert author.post(API, data={"file": (io.BytesIO(b"x"), "x.txt")},
                       content_type="multipart/form-data").status_code == 201


def test_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    listing = paths["/api/studio/v1/courses/{course_id}/assets/"]
    assert {"get", "post"} <= set(listing)
    one = paths["/api/studio/v1/courses/{course_id}/assets/{asset_id}"]
    assert {"get", "put", "patch", "delete"} <= set(one)
    assert "studio-files" in listing["get"]["tags"]


def test_uploads_at_the_same_time_all_land(app, served, course):
    """Several authors (or browser tabs) uploading at once: no upload is lost to another."""
    import concurrent.futures

    import requests

    headers = bearer(app, "staff")

    def send(index: int) -> int:
        answer = requests.post(served + API, headers=headers, timeout=30,
                               files={"file": (f"part{index}.txt", f"part {index}".encode())})
        return answer.status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(send, range(6)))
    assert statuses == [201] * 6
    assert set(draft_files(app)) == {f"part{index}.txt" for index in range(6)}


def test_a_request_over_the_request_limit_is_413_in_json(make_app):
    from kampus_content.testing.xblocks import publish_course

    app = make_app(plugins=["content", "problems", "studio"],
                   settings={"studio_max_upload_mb": 1, "studio_upload_max_request_bytes": 10_000})
    publish_course(app, COURSE, {"unit1": []})
    answer = post_files(app.test_client(), bearer(app, "staff"), ("big.txt", b"0" * 20_000))
    assert answer.status_code == 413
    assert answer.get_json()["developer_message"].startswith("The upload is too large")
    assert draft_files(app) == {}
