"""Open edX's course modes API (``/api/course_modes/v1/courses/<course_id>/...``), global staff only."""

from __future__ import annotations

import pytest
from kampus_content.api import Block
from kampus_content.testing.xblocks import publish_course
from kampus_lms.enrollment import api as enrollment

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")

COURSE = "course-v1:RestX+M101+2026"
BASE = f"/api/course_modes/v1/courses/{COURSE}/"
#: Open edX's ``CourseModeSerializer`` fields.
MODE_FIELDS = {"course_id", "mode_slug", "mode_display_name", "min_price", "currency", "expiration_datetime",
               "expiration_datetime_is_explicit", "description", "sku", "bulk_sku"}
MERGE_PATCH = "application/merge-patch+json"


def publish(app) -> None:
    publish_course(app, COURSE, {"unit": [Block("html", "page", {"data": "<p>Hi</p>"})]},
                   course_fields={"display_name": "Modes"})


def test_staff_create_read_update_delete(app, client_as) -> None:
    publish(app)
    staff = client_as("global_staff")
    assert staff.get(BASE).get_json() == []
    created = staff.post(BASE, json={"course_id": COURSE, "mode_slug": "verified", "mode_display_name": "Verified",
                                     "currency": "usd", "min_price": 49,
                                     "expiration_datetime": "2027-01-01T00:00:00Z"})
    assert created.status_code == 201, created.get_data(as_text=True)
    body = created.get_json()
    assert set(body) == MODE_FIELDS
    assert body == {"course_id": COURSE, "mode_slug": "verified", "mode_display_name": "Verified", "min_price": 49,
                    "currency": "usd", "expiration_datetime": "2027-01-01T00:00:00Z",
                    "expiration_datetime_is_explicit": True, "description": None, "sku": None, "bulk_sku": None}
    assert staff.get(BASE).get_json() == [body]
    assert staff.get(BASE + "verified").get_json() == body
    with app.app_context():
        assert [mode.slug for mode in enrollment.course_modes(COURSE, now=None)] == ["verified"]
    patched = staff.patch(BASE + "verified", data='{"min_price": 99, "mode_display_name": "Verified track"}',
                          content_type=MERGE_PATCH)
    assert patched.status_code == 204 and patched.get_data() == b""
    after = staff.get(BASE + "verified").get_json()
    assert after["min_price"] == 99 and after["mode_display_name"] == "Verified track" and after["currency"] == "usd"
    plain_json = staff.patch(BASE + "verified", json={"min_price": 1})
    assert plain_json.status_code == 415
    fixed = staff.patch(BASE + "verified", data='{"mode_slug": "other"}', content_type=MERGE_PATCH)
    assert fixed.status_code == 400 and fixed.get_json()["mode_slug"] == ["This field cannot be modified."]
    assert staff.delete(BASE + "verified").status_code == 204
    assert staff.get(BASE + "verified").status_code == 404
    assert staff.delete(BASE + "verified").status_code == 404


def test_validation_permissions_and_unknown_courses(app, client_as, client) -> None:
    publish(app)
    staff = client_as("global_staff")
    missing = staff.post(BASE, json={"mode_slug": "honor"})
    assert missing.status_code == 400
    assert missing.get_json()["course_id"] == ["This field is required."]
    assert missing.get_json()["currency"] == ["This field is required."]
    price = staff.post(BASE, json={"course_id": COURSE, "mode_slug": "x", "mode_display_name": "X",
                                   "currency": "usd", "min_price": "lots"})
    assert price.status_code == 400 and "min_price" in price.get_json()
    twice = {"course_id": COURSE, "mode_slug": "honor", "mode_display_name": "Honor", "currency": "usd"}
    assert staff.post(BASE, json=twice).status_code == 201
    assert staff.post(BASE, json=twice).status_code == 400
    assert staff.get("/api/course_modes/v1/courses/course-v1:RestX+Nope+1/").status_code == 404
    assert client.get(BASE).status_code == 401
    learner = client_as("user")
    refused = learner.get(BASE)
    assert refused.status_code == 403
    assert refused.get_json()["detail"] == "You do not have permission to perform this action."
    assert client_as("instructor", course_id=COURSE).post(BASE, json=twice).status_code == 403
