"""Acceptance of the REST API (issue 17): an Open edX client's journey with an OAuth2 token and a JWT.

Tokens come from ``/oauth2/access_token`` (password grant of a registered public client, as Open edX's
mobile apps get them). Each JSON body is held field by field to the shape of Open edX's serializers,
written out here. Slices B and C add their steps (grades, completion, certificate, bookmark) at the
end of :func:`journey`.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from kampus_content.api import Block
from kampus_content.testing.xblocks import publish_course
from openapi_spec_validator import validate

from kampus.testing import make_user

from .conftest import register_public_client, token_for

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")

COURSE = "course-v1:JourneyX+J101+2026"
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
NULLABLE_STR = (str, type(None))

#: lms/djangoapps/course_api/serializers.py ``CourseSerializer``.
COURSE_SHAPE = {
    "blocks_url": str, "effort": NULLABLE_STR, "end": NULLABLE_STR, "enrollment_start": NULLABLE_STR,
    "enrollment_end": NULLABLE_STR, "id": str, "media": {
        "banner_image": {"uri": NULLABLE_STR, "uri_absolute": NULLABLE_STR},
        "course_image": {"uri": NULLABLE_STR},
        "course_video": {"uri": NULLABLE_STR},
        "image": {"raw": NULLABLE_STR, "small": NULLABLE_STR, "large": NULLABLE_STR},
    },
    "name": str, "number": str, "org": str, "short_description": NULLABLE_STR, "start": NULLABLE_STR,
    "start_display": NULLABLE_STR, "start_type": str, "pacing": str, "mobile_available": bool, "hidden": bool,
    "invitation_only": bool, "course_id": str,
}
#: edx-drf-extensions ``NamespacedPageNumberPagination``.
COURSE_PAGE_SHAPE = {"results": list, "pagination": {"next": NULLABLE_STR, "previous": NULLABLE_STR, "count": int,
                                                      "num_pages": int}}
#: openedx/core/djangoapps/enrollments/serializers.py ``ModeSerializer``.
MODE_SHAPE = {"slug": str, "name": str, "min_price": int, "suggested_prices": str, "currency": str,
              "expiration_datetime": NULLABLE_STR, "description": NULLABLE_STR, "sku": NULLABLE_STR,
              "bulk_sku": NULLABLE_STR}
#: ``CourseEnrollmentSerializer`` with its ``CourseSerializer``.
ENROLLMENT_SHAPE = {
    "created": str, "mode": str, "is_active": bool, "user": str,
    "course_details": {"course_id": str, "course_name": str, "enrollment_start": NULLABLE_STR,
                       "enrollment_end": NULLABLE_STR, "course_start": NULLABLE_STR, "course_end": NULLABLE_STR,
                       "invite_only": bool, "course_modes": list, "pacing_type": str},
}
#: lms/djangoapps/course_api/blocks serializers: the answer and one block's default fields.
BLOCKS_SHAPE = {"root": str, "blocks": dict}
BLOCK_FIELDS = {"id", "block_id", "type", "display_name", "student_view_url", "lms_web_url", "legacy_web_url"}


def matches(value, shape, where: str = "body") -> None:
    """``value`` has exactly the fields of ``shape`` with their types (nested shapes are dicts)."""
    if isinstance(shape, dict):
        assert isinstance(value, dict), where
        assert set(value) == set(shape), (where, set(value) ^ set(shape))
        for name, inner in shape.items():
            matches(value[name], inner, f"{where}.{name}")
    else:
        assert isinstance(value, shape), (where, value)
        if isinstance(value, str) and where.rsplit(".", 1)[-1] in (
                "created", "start", "end", "enrollment_start", "enrollment_end", "course_start", "course_end",
                "expiration_datetime"):
            assert ISO_Z.match(value), (where, value)


def publish(app) -> None:
    publish_course(app, COURSE, {"unit": [Block("html", "welcome", {"data": "<p>Welcome</p>"}),
                                          Block("problem", "quiz", {"data": "<problem/>"})]},
                   course_fields={"display_name": "Journey", "start": "2025-01-01T00:00:00Z"})


def journey(app, client, auth: dict[str, str], learner) -> None:
    """The steps an Open edX client takes with ``auth`` as its ``Authorization`` header."""
    # The catalog.
    listed = client.get("/api/courses/v1/courses/", headers=auth)
    assert listed.status_code == 200
    matches(listed.get_json(), COURSE_PAGE_SHAPE)
    courses = listed.get_json()["results"]
    assert [course["id"] for course in courses] == [COURSE]
    matches(courses[0], COURSE_SHAPE)
    detail = client.get(f"/api/courses/v1/courses/{COURSE}", headers=auth)
    matches(detail.get_json(), {**COURSE_SHAPE, "overview": NULLABLE_STR})

    # Enroll, then list the enrollments.
    enrolled = client.post("/api/enrollment/v1/enrollment", headers=auth,
                           json={"course_details": {"course_id": COURSE}})
    assert enrolled.status_code == 200, enrolled.get_data(as_text=True)
    matches(enrolled.get_json(), ENROLLMENT_SHAPE)
    for mode in enrolled.get_json()["course_details"]["course_modes"]:
        matches(mode, MODE_SHAPE)
    assert enrolled.get_json()["user"] == learner.username and enrolled.get_json()["is_active"] is True
    mine = client.get("/api/enrollment/v1/enrollment", headers=auth)
    assert mine.status_code == 200 and mine.get_json() == [enrolled.get_json()]
    one = client.get(f"/api/enrollment/v1/enrollment/{learner.username},{quote(COURSE)}", headers=auth)
    assert one.get_json() == enrolled.get_json()
    details = client.get(f"/api/enrollment/v1/course/{COURSE}", headers=auth)
    matches(details.get_json(), ENROLLMENT_SHAPE["course_details"])

    # The course's blocks (an enrolled learner's), from the course's blocks_url.
    blocks = client.get(courses[0]["blocks_url"].replace("http://localhost", "") + f"&username={learner.username}"
                        "&depth=all", headers=auth)
    assert blocks.status_code == 200, blocks.get_data(as_text=True)
    matches(blocks.get_json(), BLOCKS_SHAPE)
    for block in blocks.get_json()["blocks"].values():
        assert set(block) >= BLOCK_FIELDS
    assert {block["type"] for block in blocks.get_json()["blocks"].values()} >= {"course", "html", "problem"}

    # -- slices B and C: grades, completion, certificate, bookmark (below this line) --

    # Slice B. Grades: lms/djangoapps/grades/rest_api/v1/utils.py ``_serialize_user_grade``.
    grades = client.get(f"/api/grades/v1/courses/{COURSE}/?username={learner.username}", headers=auth)
    assert grades.status_code == 200, grades.get_data(as_text=True)
    assert len(grades.get_json()) == 1
    matches(grades.get_json()[0], {"username": str, "email": str, "course_id": str, "passed": bool,
                                   "percent": float, "letter_grade": NULLABLE_STR})
    assert grades.get_json()[0]["course_id"] == COURSE and grades.get_json()[0]["passed"] is False

    # Completion: the completion app's ``CompletionBatchView``, then the progress tab's completion summary.
    html = f"block-v1:{COURSE[len('course-v1:'):]}+type@html+block@welcome"
    batch = client.post("/api/completion/v1/completion-batch", headers=auth,
                        json={"username": learner.username, "course_key": COURSE, "blocks": {html: 1.0}})
    assert batch.status_code == 200 and batch.get_json()["detail"] == "ok", batch.get_data(as_text=True)
    lesson = f"block-v1:{COURSE[len('course-v1:'):]}+type@sequential+block@lesson1"
    done = client.get(f"/api/completion/v1/subsection-completion/{learner.username}/{COURSE}/{lesson}", headers=auth)
    assert done.get_json() == {"completion": False}  # the problem is still to do
    progress = client.get(f"/api/course_home/v1/progress/{COURSE}", headers=auth)
    assert progress.status_code == 200, progress.get_data(as_text=True)
    matches(progress.get_json()["completion_summary"], {"complete_count": int, "incomplete_count": int,
                                                        "locked_count": int})
    assert progress.get_json()["completion_summary"]["complete_count"] == 1

    # The certificate: none earned (certificates API v0: 404 ``no_certificate_for_user``, an empty list).
    certificate = client.get(f"/api/certificates/v0/certificates/{learner.username}/courses/{COURSE}/", headers=auth)
    assert (certificate.status_code, certificate.get_json()["error_code"]) == (404, "no_certificate_for_user")
    assert client.get(f"/api/certificates/v0/certificates/{learner.username}/", headers=auth).get_json() == []

    # Bookmark the unit: the bookmarks API's ``BookmarkSerializer`` (every field on create).
    unit = f"block-v1:{COURSE[len('course-v1:'):]}+type@vertical+block@unit"
    bookmark = client.post("/api/bookmarks/v1/bookmarks/", headers=auth, json={"usage_id": unit})
    assert bookmark.status_code == 201, bookmark.get_data(as_text=True)
    matches(bookmark.get_json(), {"id": str, "course_id": str, "usage_id": str, "block_type": str, "created": str,
                                  "display_name": str, "path": list})
    assert ISO_Z.match(bookmark.get_json()["created"])
    listed_bookmarks = client.get(f"/api/bookmarks/v1/bookmarks/?course_id={quote(COURSE)}", headers=auth).get_json()
    assert listed_bookmarks["count"] == 1 and listed_bookmarks["results"][0]["usage_id"] == unit


@pytest.mark.parametrize("jwt", [False, True], ids=["bearer", "jwt"])
def test_open_edx_client_journey(app, jwt: bool) -> None:
    publish(app)
    register_public_client(app)
    learner = make_user(app)
    auth = token_for(app, learner, jwt=jwt)
    client = app.test_client()
    journey(app, client, auth, learner)


def test_the_document_is_valid_openapi_and_declares_these_endpoints(app, client) -> None:
    document = client.get("/api/openapi.json").get_json()
    validate(document)
    paths = document["paths"]
    for path in ("/api/courses/v1/courses/", "/api/courses/v1/courses/{course_key_string}",
                 "/api/enrollment/v1/enrollment", "/api/enrollment/v1/enrollment/{target}",
                 "/api/enrollment/v1/enrollments", "/api/enrollment/v1/course/{course_id}",
                 "/api/course_modes/v1/courses/{course_id}/", "/api/course_modes/v1/courses/{course_id}/{mode_slug}"):
        assert path in paths, path
    assert "200" in paths["/api/courses/v1/courses/"]["get"]["responses"]
    assert set(paths["/api/course_modes/v1/courses/{course_id}/{mode_slug}"]) >= {"get", "patch", "delete"}
