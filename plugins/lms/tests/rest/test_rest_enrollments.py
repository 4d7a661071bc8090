"""Open edX's enrollment API (``/api/enrollment/v1/...``): shapes, permissions, errors, events, queries."""

from __future__ import annotations

import re

import pytest
from kampus_content.api import Block
from kampus_content.testing.xblocks import publish_course
from kampus_lms.enrollment import api as enrollment
from kampus_lms.rest import enrollments as rest_enrollments

from kampus.identity.permissions import grant_role
from kampus.testing import login, make_user, recording_statements

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")

COURSE = "course-v1:RestX+E101+2026"
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
NULLABLE_STR = (str, type(None))

#: Open edX's ``CourseEnrollmentSerializer`` / enrollment ``CourseSerializer`` / ``ModeSerializer``.
ENROLLMENT_FIELDS = {"created": str, "mode": str, "is_active": bool, "course_details": dict, "user": str}
COURSE_DETAILS_FIELDS = {"course_id": str, "course_name": str, "enrollment_start": NULLABLE_STR,
                         "enrollment_end": NULLABLE_STR, "course_start": NULLABLE_STR, "course_end": NULLABLE_STR,
                         "invite_only": bool, "course_modes": list, "pacing_type": str}
MODE_FIELDS = {"slug": str, "name": str, "min_price": int, "suggested_prices": str, "currency": str,
               "expiration_datetime": NULLABLE_STR, "description": NULLABLE_STR, "sku": NULLABLE_STR,
               "bulk_sku": NULLABLE_STR}
#: ``CourseEnrollmentsApiListSerializer``.
LISTED_FIELDS = {"created": str, "mode": str, "is_active": bool, "user": str, "course_id": str}


def publish(app, course_id: str = COURSE, **fields: str) -> None:
    publish_course(app, course_id, {"unit": [Block("html", "page", {"data": "<p>Hi</p>"})]},
                   course_fields={"display_name": "Enrollment REST", **fields})


def check(value: dict, fields: dict) -> None:
    assert set(value) == set(fields), set(value) ^ set(fields)
    for name, kind in fields.items():
        assert isinstance(value[name], kind), (name, value[name])


def check_course_details(details: dict) -> None:
    check(details, COURSE_DETAILS_FIELDS)
    for name in ("enrollment_start", "enrollment_end", "course_start", "course_end"):
        assert details[name] is None or ISO_Z.match(details[name])
    assert details["pacing_type"] in ("Instructor Paced", "Self Paced")
    for mode in details["course_modes"]:
        check(mode, MODE_FIELDS)


def check_enrollment(body: dict) -> None:
    check(body, ENROLLMENT_FIELDS)
    assert ISO_Z.match(body["created"])
    check_course_details(body["course_details"])


def test_enroll_read_and_list_as_a_learner(app, client_as, events) -> None:
    publish(app, start="2026-01-05T09:00:00Z")
    learner = client_as("user")
    posted = learner.post("/api/enrollment/v1/enrollment", json={"course_details": {"course_id": COURSE}})
    assert posted.status_code == 200, posted.get_data(as_text=True)
    body = posted.get_json()
    check_enrollment(body)
    assert body["user"] == learner.user.username and body["mode"] == "audit" and body["is_active"] is True
    assert body["course_details"]["course_start"] == "2026-01-05T09:00:00Z"
    assert body["course_details"]["course_modes"] == [{
        "slug": "audit", "name": "Audit", "min_price": 0, "suggested_prices": "", "currency": "usd",
        "expiration_datetime": None, "description": None, "sku": None, "bulk_sku": None}]
    assert [e["event_type"] for e in events.events if e["event_type"].startswith("edx.course.enrollment")] == [
        enrollment.EVENT_ACTIVATED]
    again = learner.post("/api/enrollment/v1/enrollment", json={"course_details": {"course_id": COURSE}})
    assert again.status_code == 200 and again.get_json() == body
    one = learner.get(f"/api/enrollment/v1/enrollment/{COURSE}")
    assert one.status_code == 200 and one.get_json() == body
    named = learner.get(f"/api/enrollment/v1/enrollment/{learner.user.username},{COURSE}")
    assert named.get_json() == body
    listed = learner.get("/api/enrollment/v1/enrollment")
    assert listed.status_code == 200 and listed.get_json() == [body]
    none = learner.get("/api/enrollment/v1/enrollment/course-v1:RestX+Other+1")
    assert none.status_code == 200 and none.get_json() is None


def test_learners_cannot_touch_others_and_staff_can(app, client_as) -> None:
    publish(app)
    learner = client_as("user")
    other = make_user(app)
    enrollment_of_other = {"user": other.username, "course_details": {"course_id": COURSE}}
    assert learner.post("/api/enrollment/v1/enrollment", json=enrollment_of_other).status_code == 404
    assert learner.get(f"/api/enrollment/v1/enrollment/{other.username},{COURSE}").status_code == 404
    paid = learner.post("/api/enrollment/v1/enrollment", json={"mode": "verified",
                                                               "course_details": {"course_id": COURSE}})
    assert paid.status_code == 403
    assert paid.get_json()["message"] == "User does not have permission to create enrollment with mode [verified]."
    staff = client_as("global_staff")
    made = staff.post("/api/enrollment/v1/enrollment", json=enrollment_of_other)
    assert made.status_code == 200 and made.get_json()["user"] == other.username
    assert staff.get(f"/api/enrollment/v1/enrollment/{other.username},{COURSE}").get_json()["is_active"] is True
    off = staff.post("/api/enrollment/v1/enrollment", json={**enrollment_of_other, "is_active": False})
    assert off.status_code == 200 and off.get_json()["is_active"] is False
    missing = staff.post("/api/enrollment/v1/enrollment", json={"user": "no-such-user",
                                                                 "course_details": {"course_id": COURSE}})
    assert missing.status_code == 406 and missing.get_json()["message"] == "The user no-such-user does not exist."
    # Course staff see a learner's enrollments in their own courses only.
    with app.app_context():
        enrollment.enroll(other, COURSE)
    publish(app, "course-v1:RestX+Elsewhere+1")
    with app.app_context():
        enrollment.enroll(other, "course-v1:RestX+Elsewhere+1")
    course_staff = client_as("staff", course_id=COURSE)
    seen = course_staff.get(f"/api/enrollment/v1/enrollment?user={other.username}").get_json()
    assert [item["course_details"]["course_id"] for item in seen] == [COURSE]
    assert len(staff.get(f"/api/enrollment/v1/enrollment?user={other.username}").get_json()) == 2


def test_open_edx_400_bodies(app, client_as) -> None:
    publish(app, enrollment_end="2020-01-01T00:00:00Z")
    publish(app, "course-v1:RestX+Invite+1", invitation_only="true")
    learner = client_as("user")

    def post(payload):
        return learner.post("/api/enrollment/v1/enrollment", json=payload)

    assert post({}).get_json()["message"] == "Course ID must be specified to create a new enrollment."
    bad = post({"course_details": {"course_id": "nonsense"}})
    assert bad.status_code == 400 and bad.get_json()["message"] == "No course 'nonsense' found for enrollment"
    unknown = post({"course_details": {"course_id": "course-v1:RestX+Nope+1"}})
    assert unknown.get_json()["message"] == "No course 'course-v1:RestX+Nope+1' found for enrollment"
    closed = post({"course_details": {"course_id": COURSE}})
    assert closed.status_code == 400 and closed.get_json()["error"]["code"] == "closed"
    assert closed.get_json()["message"].startswith("An error occurred while creating the new course enrollment")
    invited = post({"course_details": {"course_id": "course-v1:RestX+Invite+1"}})
    assert invited.status_code == 400 and invited.get_json()["error"]["code"] == "invitation_only"
    honor = post({"mode": "honor", "course_details": {"course_id": "course-v1:RestX+Invite+1"}})
    assert honor.status_code == 400 and honor.get_json()["message"] == (
        "The [honor] course mode is expired or otherwise unavailable for course run [course-v1:RestX+Invite+1].")
    assert honor.get_json()["course_details"]["course_id"] == "course-v1:RestX+Invite+1"
    flag = post({"is_active": "yes", "course_details": {"course_id": COURSE}})
    assert flag.get_json()["message"] == "'yes' is an invalid enrollment activation status."
    assert learner.post("/api/enrollment/v1/enrollment", data="[1]", content_type="application/json").status_code == 400


def test_unauthenticated_and_course_details(app, client) -> None:
    publish(app)
    with app.app_context():
        enrollment.set_course_mode(COURSE, "verified", "Verified", min_price=49)
    assert client.get("/api/enrollment/v1/enrollment").status_code == 401
    assert client.get("/api/enrollment/v1/enrollment").get_json()["detail"] == (
        "Authentication credentials were not provided.")
    details = client.get(f"/api/enrollment/v1/course/{COURSE}")
    assert details.status_code == 200
    check_course_details(details.get_json())
    assert [m["slug"] for m in details.get_json()["course_modes"]] == ["verified"]
    assert details.get_json()["course_modes"][0]["min_price"] == 49
    missing = client.get("/api/enrollment/v1/course/course-v1:RestX+Nope+1")
    assert missing.status_code == 400 and missing.get_json()["message"] == (
        "No course found for course ID 'course-v1:RestX+Nope+1'")


def test_enrollments_list_for_staff_with_cursor_pages(app, client_as) -> None:
    publish(app)
    publish(app, "course-v1:RestX+Second+1")
    users = [make_user(app) for _ in range(5)]
    with app.app_context():
        for user in users:
            enrollment.enroll(user, COURSE)
        enrollment.enroll(users[0], "course-v1:RestX+Second+1")
    learner = client_as("user")
    assert learner.get("/api/enrollment/v1/enrollments").status_code == 403
    staff = client_as("global_staff")
    everything = staff.get("/api/enrollment/v1/enrollments").get_json()
    assert set(everything) == {"next", "previous", "results"} and everything["next"] is None
    assert len(everything["results"]) == 6
    for item in everything["results"]:
        check(item, LISTED_FIELDS)
    by_course = staff.get("/api/enrollment/v1/enrollments", query_string={"course_id": COURSE}).get_json()["results"]
    assert len(by_course) == 5 and {item["course_id"] for item in by_course} == {COURSE}
    by_user = staff.get(f"/api/enrollment/v1/enrollments?username={users[0].username},{users[1].username}")
    assert sorted(item["user"] for item in by_user.get_json()["results"]) == sorted(
        [users[0].username, users[0].username, users[1].username])
    bad = staff.get("/api/enrollment/v1/enrollments?course_id=nonsense")
    assert bad.status_code == 400 and "course_id" in bad.get_json()["field_errors"]
    assert staff.get("/api/enrollment/v1/enrollments?cursor=!!!").status_code == 404


def test_cursor_pages_walk_forward_and_back(app, client_as, monkeypatch) -> None:
    monkeypatch.setattr(rest_enrollments, "CURSOR_PAGE_SIZE", 2)
    publish(app)
    users = [make_user(app) for _ in range(5)]
    with app.app_context():
        for user in users:
            enrollment.enroll(user, COURSE)
    staff = client_as("global_staff")
    seen = []
    page = staff.get("/api/enrollment/v1/enrollments").get_json()
    pages = [page]
    while page["next"]:
        page = staff.get(page["next"].replace("http://localhost", "")).get_json()
        pages.append(page)
    for page in pages:
        seen.extend(item["user"] for item in page["results"])
    assert sorted(seen) == sorted(user.username for user in users) and len(pages) == 3
    back = staff.get(pages[2]["previous"].replace("http://localhost", "")).get_json()
    assert back["results"] == pages[1]["results"]


def test_list_queries_are_constant(app, client_as) -> None:
    courses = [f"course-v1:RestQ+C{number}+1" for number in range(4)]
    for course_id in courses:
        publish(app, course_id)
    learner = client_as("user")
    staff = client_as("global_staff")
    with app.app_context():
        enrollment.enroll(learner.user, courses[0])
    learner.get("/api/enrollment/v1/enrollment")
    with recording_statements(app) as one:
        learner.get("/api/enrollment/v1/enrollment")
        staff.get("/api/enrollment/v1/enrollments")
    with app.app_context():
        for course_id in courses[1:]:
            enrollment.enroll(learner.user, course_id)
            enrollment.set_course_mode(course_id, "honor", "Honor")
    with recording_statements(app) as four:
        assert len(learner.get("/api/enrollment/v1/enrollment").get_json()) == 4
        assert len(staff.get("/api/enrollment/v1/enrollments").get_json()["results"]) == 4
    assert len(four.queries) == len(one.queries)


def test_course_staff_role_grant_shows_in_list(app, client_as) -> None:
    publish(app)
    other = make_user(app)
    with app.app_context():
        enrollment.enroll(other, COURSE)
    helper = make_user(app)
    with app.app_context(), app.extensions["kampus"].db.session_scope() as db_session:
        grant_role(db_session, helper, "staff", org="RestX")
    # An organization-wide role does not open the learner's enrollments (Open edX: course roles only).
    client = login(app.test_client(), helper)
    assert client.get(f"/api/enrollment/v1/enrollment?user={other.username}").get_json() == []
