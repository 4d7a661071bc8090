"""``POST /event``: events sent by the browser (Open edX's ``/event``)."""

from __future__ import annotations

import json
from pathlib import Path

PAGE = "http://localhost/courses/course-v1:edX+DemoX+Demo_Course/courseware/intro/1?activate_block_id=x"
VIDEO = json.dumps({"id": "0b9e39477cf34507", "currentTime": 12.5, "code": "html5"})


def test_anonymous_browser_event(client, events, app):
    response = client.post("/event", data={"event_type": "play_video", "event": VIDEO, "page": PAGE})
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "success"
    event = events.of_type("play_video")[-1]
    assert event["event_source"] == "browser"
    assert event["event"] == VIDEO  # kept as the string the browser sent
    assert event["page"] == PAGE
    assert event["username"] == "anonymous"
    assert event["name"] == "play_video"
    context = event["context"]
    assert context["path"] == "/event"
    assert context["course_id"] == "course-v1:edX+DemoX+Demo_Course"
    assert context["org_id"] == "edX"
    assert context["user_id"] is None
    log = Path(app.extensions["kampus"].settings.tracking_log)
    stored = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert stored[-1]["event"] == VIDEO


def test_logged_in_browser_event(client_as, events):
    client = client_as("learner")
    response = client.post("/event", data={"event_type": "problem_check", "event": "input_x_2_1=797", "page": PAGE})
    assert response.status_code == 200
    event = events.of_type("problem_check")[-1]
    assert event["username"] == client.user.username
    assert event["context"]["user_id"] == client.user.id
    assert event["event"] == "input_x_2_1=797"
    assert len(event["session"]) == 32


def test_course_from_the_referer_when_no_page(client, events):
    client.post("/event", data={"event_type": "page_close", "event": "{}"},
                headers={"Referer": "http://localhost/courses/course-v1:O+N+R/about"})
    event = events.of_type("page_close")[-1]
    assert event["context"]["course_id"] == "course-v1:O+N+R"
    assert event["page"] is None


def test_csrf_is_required(client, events):
    response = client.post("/event", data={"event_type": "play_video", "event": VIDEO}, csrf=False)
    assert response.status_code == 400
    assert events.of_type("play_video") == []


def test_get_is_not_allowed(client):
    assert client.get("/event?event_type=x").status_code == 405


def _error(response):
    assert response.status_code == 400
    assert response.is_json
    return response.get_json()["error"]


def test_event_type_is_required(client, events):
    error = _error(client.post("/event", data={"event": "{}"}))
    assert error["field"] == "event_type"
    assert "required" in error["message"]
    assert events.events == []


def test_size_limits(client, events):
    error = _error(client.post("/event", data={"event_type": "x" * 256, "event": "{}"}))
    assert error["field"] == "event_type" and "255" in error["message"]
    error = _error(client.post("/event", data={"event_type": "big", "event": "x" * (64 * 1024 + 1)}))
    assert error["field"] == "event" and "64 KiB" in error["message"]
    error = _error(client.post("/event", data={"event_type": "big", "event": "{}", "page": "http://x/" + "p" * 5000}))
    assert error["field"] == "page"
    assert events.events == []
    response = client.post("/event", data={"event_type": "x" * 255, "event": "é" * (32 * 1024)})
    assert response.status_code == 200
