"""A course's ``mobile_available`` flag, as Open edX's: the course API's field and ``mobile`` filter read it,
the mobile enrollment list and ``course_info`` apply Open edX's ``is_mobile_available_for_user`` (the flag, or
the user is staff or a beta tester of the course), Studio's advanced settings set it and OLX carries it. A
course that does not set it is available (Kampus's default: every course was before the flag existed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from kampus_content.api import content_store
from kampus_content.olx.service import import_folder
from kampus_content.store.interface import Block
from kampus_lms.catalog.models import CourseOverviewRow
from kampus_lms.enrollment.api import enroll

from kampus import db
from kampus.testing import login, make_user

from .conftest import register_public_client, token_for

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms", "studio")

OPEN = "course-v1:MobX+Open+2026"
CLOSED = "course-v1:MobX+Closed+2026"
UNAVAILABLE = {"has_access": False, "error_code": "mobile_unavailable",
               "developer_message": "Course is not available on mobile for this user",
               "user_message": "You do not have access to this course on a mobile device",
               "additional_context_user_message": None, "user_fragment": None}


def publish(app: Flask, course_id: str, **fields: Any) -> None:
    blocks = [Block("course", "course", {"display_name": course_id.split("+")[1], "start": "2020-01-01T00:00:00Z",
                                         **fields}, [("chapter", "ch")]),
              Block("chapter", "ch", {"display_name": "Week 1"}, [])]
    with app.app_context():
        store = app.extensions["kampus"].driver("content_store")
        store.create_course(course_id, blocks, ("course", "course"), user_id=None)
        store.publish(course_id, user_id=None)


@pytest.fixture
def courses(app: Flask) -> None:
    """``OPEN`` does not set the flag; ``CLOSED`` sets it to false."""
    publish(app, OPEN)
    publish(app, CLOSED, mobile_available=False)


def enrolled(app: Flask, role: str = "user", course_id: str = CLOSED) -> Any:
    user = make_user(app, role, course_id)
    with app.test_request_context():
        for course in (OPEN, CLOSED):
            enroll(user, course, check_access=False)
        db.session().commit()
    return user


def test_the_course_api_reads_the_flag_and_filters_on_it(app: Flask, courses: None) -> None:
    client = app.test_client()
    listed = {course["id"]: course["mobile_available"]
              for course in client.get("/api/courses/v1/courses/").get_json()["results"]}
    assert listed == {OPEN: True, CLOSED: False}
    assert client.get(f"/api/courses/v1/courses/{CLOSED}").get_json()["mobile_available"] is False
    assert [c["id"] for c in client.get("/api/courses/v1/courses/?mobile=true").get_json()["results"]] == [OPEN]
    assert [c["id"] for c in client.get("/api/courses/v1/courses/?mobile=false").get_json()["results"]] == [CLOSED]


def test_olx_carries_the_flag(app: Flask, tmp_path: Path) -> None:
    folder = tmp_path / "olx"
    folder.mkdir()
    (folder / "course.xml").write_text(
        '<course url_name="R1" org="MobX" course="Olx" display_name="OLX" start="2020-01-01T00:00:00Z" '
        'mobile_available="false"><chapter url_name="ch" display_name="Week 1"/></course>', encoding="utf-8")
    with app.app_context():
        key = import_folder(folder, content_store(), user_id=None, course_key="course-v1:MobX+Olx+R1").course_key
    assert app.test_client().get(f"/api/courses/v1/courses/{key}").get_json()["mobile_available"] is False


def test_enrollments_list_only_courses_available_to_the_user(app: Flask, courses: None) -> None:
    register_public_client(app)
    client = app.test_client()
    expected = {"user": [OPEN], "beta_tester": [OPEN, CLOSED], "staff": [OPEN, CLOSED],
                "global_staff": [OPEN, CLOSED]}
    for role, wanted in expected.items():
        user = enrolled(app, role)
        headers = token_for(app, user)
        for version in ("v0.5", "v1"):
            body = client.get(f"/api/mobile/{version}/users/{user.username}/course_enrollments/",
                              headers=headers).get_json()
            assert sorted(item["course"]["id"] for item in body) == sorted(wanted), (role, version)
        page = client.get(f"/api/mobile/v4/users/{user.username}/course_enrollments/", headers=headers).get_json()
        shown = [item["course"]["id"] for item in page["enrollments"]["results"]] + [page["primary"]["course"]["id"]]
        assert sorted(shown) == sorted(wanted), role
        assert page["enrollments"]["count"] == len(wanted) - 1
    # a beta tester or staff member of another course only: not for this one
    other = make_user(app, "beta_tester", OPEN)
    with app.test_request_context():
        enroll(other, CLOSED, check_access=False)
        db.session().commit()
    body = client.get(f"/api/mobile/v1/users/{other.username}/course_enrollments/", headers=token_for(app, other))
    assert body.get_json() == []


def test_course_info_answers_mobile_unavailable(app: Flask, courses: None) -> None:
    register_public_client(app)
    client = app.test_client()
    learner = enrolled(app)
    headers = token_for(app, learner)
    for resource in ("updates", "handouts"):
        closed = client.get(f"/api/mobile/v0.5/course_info/{CLOSED}/{resource}", headers=headers)
        assert closed.status_code == 404
        assert closed.get_json() == {**UNAVAILABLE, "error": {"status": 404, "message": UNAVAILABLE[
            "developer_message"]}}
        assert client.get(f"/api/mobile/v0.5/course_info/{OPEN}/{resource}", headers=headers).status_code == 200
        for role in ("beta_tester", "staff"):
            member = enrolled(app, role)
            answer = client.get(f"/api/mobile/v0.5/course_info/{CLOSED}/{resource}", headers=token_for(app, member))
            assert answer.status_code == 200, (role, answer.get_json())
    # the mobile check comes before the enrollment check, as Open edX's load_mobile does
    stranger = make_user(app)
    answer = client.get(f"/api/mobile/v0.5/course_info/{CLOSED}/updates", headers=token_for(app, stranger))
    assert answer.get_json()["error_code"] == "mobile_unavailable"
    answer = client.get(f"/api/mobile/v0.5/course_info/{OPEN}/updates", headers=token_for(app, stranger))
    assert answer.get_json()["error_code"] == "not_enrolled"


def test_studio_advanced_settings_set_the_flag(app: Flask, courses: None) -> None:
    author = login(app.test_client(), make_user(app, "staff", OPEN))
    api = f"/api/studio/v1/courses/{OPEN}/settings/advanced"
    before = author.get(api).get_json()["settings"]["mobile_available"]
    assert (before["value"], before["set"]) == (True, False)  # what the apps get for a course that sets nothing
    refused = author.patch(api, json={"settings": {"mobile_available": "no"}})
    assert refused.status_code == 400
    saved = author.patch(api, json={"settings": {"mobile_available": False}})
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["settings"]["mobile_available"]["value"] is False
    with app.app_context():
        content_store().publish(OPEN, user_id=None)
    assert app.test_client().get(f"/api/courses/v1/courses/{OPEN}").get_json()["mobile_available"] is False


def test_an_overview_stored_before_the_flag_is_rebuilt_when_read(app: Flask, courses: None) -> None:
    def forget_flag() -> None:  # a row as stored before overviews held mobile_available
        with app.app_context(), app.extensions["kampus"].db.session_scope() as db_session:
            row = db_session.get(CourseOverviewRow, CLOSED)
            data = json.loads(row.data)
            del data["mobile_available"]
            row.data = json.dumps(data)

    forget_flag()
    assert app.test_client().get(f"/api/courses/v1/courses/{CLOSED}").get_json()["mobile_available"] is False
    register_public_client(app)
    learner = enrolled(app)
    headers = token_for(app, learner)
    forget_flag()
    body = app.test_client().get(f"/api/mobile/v1/users/{learner.username}/course_enrollments/",
                                 headers=headers).get_json()
    assert [item["course"]["id"] for item in body] == [OPEN]
    with app.app_context():
        assert "mobile_available" in json.loads(db.session().get(CourseOverviewRow, CLOSED).data)
