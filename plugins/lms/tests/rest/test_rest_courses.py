"""Open edX's course API: ``/api/courses/v1/courses/`` and ``/api/courses/v1/courses/<id>``, field by field."""

from __future__ import annotations

import re

import pytest
from kampus_content.api import Block
from kampus_content.testing.xblocks import publish_course

from kampus.identity.permissions import grant_role
from kampus.testing import make_user, recording_statements

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")

COURSE = "course-v1:RestX+C101+2026"
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")

#: Open edX's ``CourseSerializer`` (lms/djangoapps/course_api/serializers.py): field -> type(s).
COURSE_FIELDS = {
    "blocks_url": str, "effort": (str, type(None)), "end": (str, type(None)),
    "enrollment_start": (str, type(None)), "enrollment_end": (str, type(None)), "id": str, "media": dict,
    "name": str, "number": str, "org": str, "short_description": (str, type(None)), "start": (str, type(None)),
    "start_display": (str, type(None)), "start_type": str, "pacing": str, "mobile_available": bool,
    "hidden": bool, "invitation_only": bool, "course_id": str,
}


def publish(app, course_id: str = COURSE, **fields: str) -> None:
    publish_course(app, course_id, {"unit": [Block("html", "page", {"data": "<p>Hi</p>"})]},
                   course_fields={"display_name": f"Course {course_id}", **fields})


def check_course_shape(course: dict, *, detail: bool = False) -> None:
    expected = dict(COURSE_FIELDS, **({"overview": (str, type(None))} if detail else {}))
    assert set(course) == set(expected)
    for name, kind in expected.items():
        assert isinstance(course[name], kind), (name, course[name])
    for name in ("end", "enrollment_start", "enrollment_end", "start"):
        assert course[name] is None or ISO_Z.match(course[name]), (name, course[name])
    assert set(course["media"]) == {"banner_image", "course_image", "course_video", "image"}
    assert set(course["media"]["banner_image"]) == {"uri", "uri_absolute"}
    assert set(course["media"]["course_image"]) == {"uri"} and set(course["media"]["course_video"]) == {"uri"}
    assert set(course["media"]["image"]) == {"raw", "small", "large"}
    assert course["start_type"] in ("string", "timestamp", "empty")
    assert course["pacing"] in ("instructor", "self")
    assert course["course_id"] == course["id"]


def test_course_list_shape_and_fields(app, client) -> None:
    publish(app, start="2026-01-05T09:00:00Z", end="2026-06-30T00:00:00Z", enrollment_start="2025-12-01T00:00:00Z",
            display_coursenumber="C-101", self_paced="true")
    response = client.get("/api/courses/v1/courses/")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"results", "pagination"}
    assert body["pagination"] == {"next": None, "previous": None, "count": 1, "num_pages": 1}
    course = body["results"][0]
    check_course_shape(course)
    assert course["id"] == COURSE and course["org"] == "RestX" and course["number"] == "C-101"
    assert course["name"] == f"Course {COURSE}"
    assert course["start"] == "2026-01-05T09:00:00Z" and course["end"] == "2026-06-30T00:00:00Z"
    assert course["enrollment_start"] == "2025-12-01T00:00:00Z" and course["enrollment_end"] is None
    assert course["start_type"] == "timestamp" and course["start_display"] == "Jan 05, 2026"
    assert course["pacing"] == "self" and course["hidden"] is False and course["invitation_only"] is False
    assert course["blocks_url"] == "http://localhost/api/courses/v1/blocks/?course_id=course-v1%3ARestX%2BC101%2B2026"


def test_course_detail_adds_the_overview_and_hides_what_the_catalog_hides(app, client) -> None:
    publish(app)
    publish(app, "course-v1:RestX+Hidden+1", catalog_visibility="none")
    response = client.get(f"/api/courses/v1/courses/{COURSE}")
    assert response.status_code == 200
    check_course_shape(response.get_json(), detail=True)
    assert client.get(f"/api/courses/v1/courses/{COURSE}/").status_code == 200
    hidden = client.get("/api/courses/v1/courses/course-v1:RestX+Hidden+1")
    assert hidden.status_code == 404 and hidden.get_json()["developer_message"]
    bad = client.get("/api/courses/v1/courses/not-a-course")
    assert bad.status_code == 400
    message = bad.get_json()["field_errors"]["course_key"]["developer_message"]
    assert message == "'not-a-course' is not a valid course key."
    assert [c["id"] for c in client.get("/api/courses/v1/courses/").get_json()["results"]] == [COURSE]


def test_username_permissions_org_and_pagination(app, client_as) -> None:
    for number in range(12):
        publish(app, f"course-v1:Org{number % 2}+N{number}+1")
    learner = client_as("user")
    own = learner.get(f"/api/courses/v1/courses/?username={learner.user.username}")
    assert own.status_code == 200 and own.get_json()["pagination"]["count"] == 12
    other = make_user(app)
    refused = learner.get(f"/api/courses/v1/courses/?username={other.username}")
    assert refused.status_code == 403 and "developer_message" in refused.get_json()
    staff = client_as("global_staff")
    assert staff.get(f"/api/courses/v1/courses/?username={other.username}").status_code == 200
    assert staff.get("/api/courses/v1/courses/?username=nobody-here").status_code == 404
    page = learner.get("/api/courses/v1/courses/?page_size=5&page=2").get_json()
    assert page["pagination"]["count"] == 12 and page["pagination"]["num_pages"] == 3
    assert len(page["results"]) == 5
    assert page["pagination"]["next"] == "http://localhost/api/courses/v1/courses/?page_size=5&page=3"
    assert page["pagination"]["previous"] == "http://localhost/api/courses/v1/courses/?page_size=5"
    past = learner.get("/api/courses/v1/courses/?page=9")
    assert past.status_code == 404 and past.get_json()["developer_message"] == "Invalid page."
    org = learner.get("/api/courses/v1/courses/?org=org1&page_size=100").get_json()
    assert org["pagination"]["count"] == 6 and {c["org"] for c in org["results"]} == {"Org1"}
    with app.app_context(), app.extensions["kampus"].db.session_scope() as db_session:
        grant_role(db_session, other, "staff", course_id="course-v1:Org0+N0+1")
    from_staff = staff.get(f"/api/courses/v1/courses/?username={other.username}&permissions=staff").get_json()
    assert [c["id"] for c in from_staff["results"]] == ["course-v1:Org0+N0+1"]
    bad_flag = learner.get("/api/courses/v1/courses/?mobile=perhaps")
    assert bad_flag.status_code == 400 and "mobile" in bad_flag.get_json()["field_errors"]


def test_course_list_queries_do_not_grow_with_courses(app, client) -> None:
    publish(app, "course-v1:Q+A+1")
    client.get("/api/courses/v1/courses/")
    with recording_statements(app) as few:
        assert client.get("/api/courses/v1/courses/").status_code == 200
    for number in range(6):
        publish(app, f"course-v1:Q+B{number}+1")
    client.get("/api/courses/v1/courses/")
    with recording_statements(app) as many:
        body = client.get("/api/courses/v1/courses/").get_json()
    assert body["pagination"]["count"] == 7
    assert len(many.queries) == len(few.queries)
