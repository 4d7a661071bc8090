"""Open edX's mobile API (``/api/mobile/<version>/...``), driven with OAuth2 tokens and JWTs like the
Open edX apps: user info, enrollments in the shapes of v0.5 to v4, course updates and handouts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from kampus_content.api import content_store
from kampus_content.olx.service import import_folder
from kampus_lms.enrollment.api import enroll

from kampus import db
from kampus.testing import make_user, recording_statements

from .conftest import register_public_client, token_for

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")

ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
NULLABLE_STR = (str, type(None))
#: Open edX's ``CourseOverviewField`` (mobile ``course``).
COURSE_FIELDS = {
    "id": str, "name": str, "number": str, "org": str, "org_logo": NULLABLE_STR, "start": NULLABLE_STR,
    "start_display": NULLABLE_STR, "start_type": str, "end": NULLABLE_STR, "dynamic_upgrade_deadline": NULLABLE_STR,
    "subscription_id": str, "courseware_access": dict, "media": dict, "course_image": NULLABLE_STR,
    "course_about": str, "course_sharing_utm_parameters": dict, "course_updates": str, "course_handouts": str,
    "discussion_url": NULLABLE_STR, "video_outline": type(None), "is_self_paced": bool,
}
ACCESS_FIELDS = {"has_access", "error_code", "developer_message", "user_message", "additional_context_user_message",
                 "user_fragment"}
#: ``CourseEnrollmentSerializer`` (v1+) and ``CourseEnrollmentSerializerv05``.
ENROLLMENT_FIELDS = {"audit_access_expires": NULLABLE_STR, "created": str, "mode": str, "is_active": bool,
                     "course": dict, "certificate": dict, "course_modes": list}
ENROLLMENT_V05_FIELDS = {"created": str, "mode": str, "is_active": bool, "course": dict, "certificate": dict}
MODE_FIELDS = {"slug": str, "sku": NULLABLE_STR, "android_sku": NULLABLE_STR, "ios_sku": NULLABLE_STR,
               "min_price": int}
PRIMARY_EXTRA = {"course_status": (dict, type(None)), "course_progress": dict, "course_assignments": dict}
PAGE_FIELDS = {"next", "previous", "count", "num_pages", "current_page", "start", "results"}


def check(value: dict, fields: dict) -> None:
    assert set(value) == set(fields), set(value) ^ set(fields)
    for name, kind in fields.items():
        assert isinstance(value[name], kind), (name, value[name])


def check_enrollment(item: dict, fields: dict = ENROLLMENT_FIELDS) -> None:
    check(item, fields)
    assert ISO_Z.match(item["created"])
    check(item["course"], COURSE_FIELDS)
    assert set(item["course"]["courseware_access"]) == ACCESS_FIELDS
    assert item["course"]["start"] is None or ISO_Z.match(item["course"]["start"])
    assert item["course"]["course_updates"].endswith(f"/course_info/{item['course']['id']}/updates")
    for mode in item.get("course_modes", []):
        check(mode, MODE_FIELDS)


def olx_course(app, folder: Path, run: str, files: dict[str, str] | None = None) -> str:
    """Import a one-unit OLX course ``course-v1:MobX+M1+<run>`` (one graded subsection, due in 2099)."""
    folder.mkdir(parents=True)
    (folder / "course.xml").write_text(
        f'<course url_name="{run}" org="MobX" course="M1" display_name="Mobile {run}" start="2020-01-01T00:00:00Z">'
        '<chapter url_name="ch1" display_name="Week 1">'
        '<sequential url_name="s1" display_name="Homework 1" graded="true" format="Homework" '
        'due="2099-01-01T00:00:00Z"><vertical url_name="u1" display_name="Unit 1">'
        '<html url_name="h1"><![CDATA[<p>Hello</p>]]></html></vertical></sequential></chapter></course>',
        encoding="utf-8")
    for path, text in (files or {}).items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(text, encoding="utf-8")
    with app.app_context():
        return import_folder(folder, content_store(), user_id=None, course_key=f"course-v1:MobX+M1+{run}").course_key


@pytest.fixture
def courses(app, tmp_path) -> list[str]:
    updates = "<ol><li><h2>March 3, 2026</h2><p>Newest</p></li><li><h2>January 1, 2026</h2>Oldest</li></ol>"
    return [olx_course(app, tmp_path / f"c{index}", f"R{index}",
                       {"info/updates.html": updates, "info/handouts.html": "<ol><li>Syllabus</li></ol>"}
                       if index == 0 else None) for index in range(7)]


def enrolled_learner(app, courses):
    learner = make_user(app)
    with app.test_request_context():
        for course_id in courses:
            enroll(learner, course_id, check_access=False)
        db.session().commit()
    return learner


@pytest.mark.parametrize("jwt", [False, True])
def test_user_info_and_redirect(app, jwt) -> None:
    register_public_client(app)
    learner = make_user(app, name="Ada Lovelace")
    headers = token_for(app, learner, jwt=jwt)
    client = app.test_client()
    response = client.get("/api/mobile/v0.5/my_user_info", headers=headers)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/api/mobile/v0.5/users/{learner.username}")
    body = client.get(f"/api/mobile/v0.5/users/{learner.username}", headers=headers).get_json()
    assert body == {"id": learner.id, "username": learner.username, "email": learner.email, "name": "Ada Lovelace",
                    "course_enrollments": f"http://localhost/api/mobile/v0.5/users/{learner.username}"
                                          "/course_enrollments/"}
    # someone else: 404 for users, 403 for staff; no token: 401; an unknown version: 404
    other = make_user(app)
    assert client.get(f"/api/mobile/v0.5/users/{other.username}", headers=headers).status_code == 404
    staff = make_user(app, "global_staff")
    assert client.get(f"/api/mobile/v0.5/users/{other.username}",
                      headers=token_for(app, staff)).status_code == 403
    assert app.test_client().get(f"/api/mobile/v0.5/users/{learner.username}").status_code == 401
    assert client.get(f"/api/mobile/v9/users/{learner.username}", headers=headers).status_code == 404


def test_enrollments_in_every_version(app, courses) -> None:
    register_public_client(app)
    learner = enrolled_learner(app, courses)
    headers = token_for(app, learner)
    client = app.test_client()
    path = "/api/mobile/{}/users/" + learner.username + "/course_enrollments/"

    v05 = client.get(path.format("v0.5"), headers=headers).get_json()
    assert isinstance(v05, list) and len(v05) == 7
    for item in v05:
        check_enrollment(item, ENROLLMENT_V05_FIELDS)
    # newest enrollment first
    assert [item["course"]["id"] for item in v05] == list(reversed(courses))

    v1 = client.get(path.format("v1"), headers=headers).get_json()
    assert len(v1) == 7
    for item in v1:
        check_enrollment(item)

    v2 = client.get(path.format("v2"), headers=headers).get_json()
    assert set(v2) == {"configs", "user_timezone", "enrollments"} and len(v2["enrollments"]) == 7

    v3 = client.get(path.format("v3") + "?page_size=4", headers=headers).get_json()
    assert set(v3["enrollments"]) == PAGE_FIELDS and v3["enrollments"]["count"] == 7
    assert v3["enrollments"]["num_pages"] == 2 and len(v3["enrollments"]["results"]) == 4

    v4 = client.get(path.format("v4"), headers=headers).get_json()
    assert set(v4) == {"configs", "user_timezone", "enrollments", "primary"}
    check_enrollment(v4["primary"], {**ENROLLMENT_FIELDS, **PRIMARY_EXTRA})
    assert v4["primary"]["course"]["id"] == courses[-1]
    assert v4["primary"]["course_progress"] == {"total_assignments_count": 1, "assignments_completed": 0}
    future = v4["primary"]["course_assignments"]["future_assignments"]
    assert [item["title"] for item in future] == ["Homework 1"] and ISO_Z.match(future[0]["date"])
    page = v4["enrollments"]
    assert page["count"] == 6 and len(page["results"]) == 5 and page["num_pages"] == 2 and page["next"]
    assert courses[-1] not in [item["course"]["id"] for item in page["results"]]
    second = client.get(path.format("v4") + "?page=2", headers=headers).get_json()["enrollments"]
    assert len(second["results"]) == 1 and second["previous"]
    assert client.get(path.format("v4") + "?page=9", headers=headers).status_code == 404
    assert client.get(path.format("v1") + "?org=nobody", headers=headers).get_json() == []


def test_enrollment_list_reads_in_constant_queries(app, courses) -> None:
    register_public_client(app)
    few = enrolled_learner(app, courses[:2])
    many = enrolled_learner(app, courses)
    client = app.test_client()

    def count(user) -> int:
        headers = token_for(app, user)
        with recording_statements(app) as statements:
            response = client.get(f"/api/mobile/v1/users/{user.username}/course_enrollments/", headers=headers)
            assert response.status_code == 200
        return statements.count
    assert count(few) == count(many)


def test_course_updates_and_handouts(app, courses) -> None:
    register_public_client(app)
    learner = enrolled_learner(app, courses[:1])
    headers = token_for(app, learner)
    client = app.test_client()
    base = f"/api/mobile/v0.5/course_info/{courses[0]}"
    updates = client.get(base + "/updates", headers=headers).get_json()
    assert [item["date"] for item in updates] == ["March 3, 2026", "January 1, 2026"]
    for item in updates:
        assert set(item) == {"id", "date", "content", "status"} and item["status"] == "visible"
    assert "Newest" in updates[0]["content"]
    handouts = client.get(base + "/handouts", headers=headers).get_json()
    assert set(handouts) == {"handouts_html"} and "Syllabus" in handouts["handouts_html"]
    # a course without handouts: null
    other = enrolled_learner(app, courses[1:2])
    body = client.get(f"/api/mobile/v0.5/course_info/{courses[1]}/handouts",
                      headers=token_for(app, other)).get_json()
    assert body == {"handouts_html": None}
    # not enrolled: 404 with Open edX's access error; unknown course: 404
    stranger = make_user(app)
    response = client.get(base + "/updates", headers=token_for(app, stranger))
    assert response.status_code == 404 and response.get_json()["error_code"] == "not_enrolled"
    assert client.get("/api/mobile/v0.5/course_info/course-v1:No+Such+Course/updates",
                      headers=headers).status_code == 404
    assert client.get("/api/mobile/v0.5/course_info/not-a-key/updates", headers=headers).status_code == 404
