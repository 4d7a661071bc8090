"""Course assets: served from the blob store, safely, public unless locked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kampus_content.api import content_store
from kampus_content.demo import DEMO_COURSE_FOLDER
from kampus_content.olx.service import import_folder

DEMO = "course-v1:KampusX+K101+2026"


@pytest.fixture
def kampus_plugins() -> list[str]:
    return ["content"]


def test_demo_course_image_is_served_safely(client) -> None:
    app = client.application
    with app.app_context():
        import_folder(DEMO_COURSE_FOLDER, content_store(), user_id=None)
    response = client.get(f"/assets/{DEMO}/kampus-outline.svg")
    assert response.status_code == 200
    assert response.data == (DEMO_COURSE_FOLDER / "static" / "kampus-outline.svg").read_bytes()
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/assets/{DEMO}/missing.png").status_code == 404
    assert client.get(f"/assets/{DEMO}/../course.xml").status_code == 404
    assert client.get("/assets/not-a-course/x.png").status_code == 404


def test_assets_answer_range_requests(client) -> None:
    """Media players seek with byte ranges: a course video must answer ``Range`` with 206."""
    app = client.application
    with app.app_context():
        import_folder(DEMO_COURSE_FOLDER, content_store(), user_id=None)
    data = (DEMO_COURSE_FOLDER / "static" / "kampus-outline.svg").read_bytes()
    response = client.get(f"/assets/{DEMO}/kampus-outline.svg", headers={"Range": "bytes=10-19"})
    assert response.status_code == 206
    assert response.data == data[10:20]
    assert response.headers["Content-Range"] == f"bytes 10-19/{len(data)}"
    etag = client.get(f"/assets/{DEMO}/kampus-outline.svg").headers["ETag"]
    assert client.get(f"/assets/{DEMO}/kampus-outline.svg", headers={"If-None-Match": etag}).status_code == 304


def test_locked_assets_need_course_access(make_app, tmp_path: Path) -> None:
    app = make_app(plugins=["content"])
    course = tmp_path / "course"
    for relative, text in {
        "course.xml": '<course url_name="r" org="K" course="Locked"/>',
        "course/r.xml": '<course display_name="Locked" start="2020-01-01T00:00:00Z"/>',
        "static/open.txt": "open", "static/secret.txt": "secret",
        "policies/assets.json": json.dumps({"open.txt": {"locked": False}, "secret.txt": {"locked": True}}),
    }.items():
        (course / relative).parent.mkdir(parents=True, exist_ok=True)
        (course / relative).write_text(text)
    with app.app_context():
        key = import_folder(course, content_store(), user_id=None).course_key
    anonymous = app.test_client()
    assert anonymous.get(f"/assets/{key}/open.txt").data == b"open"
    assert anonymous.get(f"/assets/{key}/secret.txt").status_code in (401, 403)
    from kampus.testing import client_as as make_client

    learner = make_client(app, "learner", course_id=key)
    assert learner.get(f"/assets/{key}/secret.txt").data == b"secret"


def test_html_page_is_shown_sandboxed_only_in_a_frame(make_app, tmp_path: Path) -> None:
    """A JS Input page runs (sandboxed, opaque origin) inside the problem's frame; opened directly it downloads."""
    app = make_app(plugins=["content"])
    course = tmp_path / "course"
    for relative, text in {
        "course.xml": '<course url_name="r" org="K" course="Frames"/>',
        "course/r.xml": '<course display_name="Frames" start="2020-01-01T00:00:00Z"/>',
        "static/page.html": "<!doctype html><script>parent.postMessage('hi', '*')</script>",
        "static/drawing.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
    }.items():
        (course / relative).parent.mkdir(parents=True, exist_ok=True)
        (course / relative).write_text(text)
    with app.app_context():
        key = import_folder(course, content_store(), user_id=None).course_key
    client = app.test_client()
    url = f"/assets/{key}/page.html"

    def framed(response) -> None:
        assert response.status_code == 200
        assert response.mimetype == "text/html"
        assert response.headers.get("Content-Disposition", "inline").startswith("inline")
        csp = response.headers["Content-Security-Policy"]
        assert csp.startswith("sandbox allow-scripts allow-forms;")
        assert "allow-same-origin" not in csp
        assert "default-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob:" in csp
        assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "Sec-Fetch-Dest" in response.headers.get("Vary", "")

    def downloaded(response) -> None:
        assert response.status_code == 200
        assert response.headers["Content-Disposition"].startswith("attachment")
        csp = response.headers["Content-Security-Policy"]
        assert csp.startswith("sandbox;") and "allow-scripts" not in csp
        assert "default-src 'none'" in csp

    framed(client.get(url, headers={"Sec-Fetch-Dest": "iframe"}))
    framed(client.get(url, headers={"Sec-Fetch-Dest": "frame"}))
    framed(client.get(url + "?frame=1"))  # a browser without fetch metadata, in the JS Input frame
    downloaded(client.get(url))
    downloaded(client.get(url, headers={"Sec-Fetch-Dest": "document"}))
    # Fetch metadata wins over the query: a page opened directly with ?frame=1 still downloads.
    downloaded(client.get(url + "?frame=1", headers={"Sec-Fetch-Dest": "document"}))
    # Only HTML pages run in a frame; an SVG stays an inert download.
    downloaded(client.get(f"/assets/{key}/drawing.svg", headers={"Sec-Fetch-Dest": "iframe"}))
