"""The course info section: enrollment counts by mode, dates, grade cutoffs and links, on its page and
through its REST endpoint; it is the dashboard's first section."""

from __future__ import annotations

from typing import Any

import pytest
from kampus_content.testing.xblocks import publish_course
from kampus_lms.api import enroll, set_course_mode

from kampus.testing import make_user

COURSE = "course-v1:KampusX+Info101+2026"


@pytest.fixture
def kampus_plugins() -> list[Any]:
    return ["content", "problems", "lms", "instructor"]


@pytest.fixture
def kampus_settings() -> dict[str, Any]:
    return {"api_validate_responses": True}


@pytest.fixture
def course(app):
    publish_course(app, COURSE, {"unit1": []}, course_fields={
        "display_name": "Info course", "end": "2030-06-30T00:00:00Z", "enrollment_start": "2019-12-01T00:00:00Z",
        "grading_policy": {"GRADE_CUTOFFS": {"A": 0.9, "B": 0.8, "Pass": 0.5}}})
    with app.test_request_context():
        set_course_mode(COURSE, "audit", "Audit")
        set_course_mode(COURSE, "verified", "Verified", min_price=50)
    for mode in ("audit", "audit", "verified"):
        user = make_user(app, "user")
        with app.test_request_context():
            enroll(user, COURSE, mode, check_access=False)
    return COURSE


def test_the_api_gives_counts_dates_cutoffs_and_links(course, client_as):
    response = client_as("ta", course).get(f"/api/instructor/v1/courses/{course}/info")
    assert response.status_code == 200, response.get_data(as_text=True)
    info = response.get_json()
    assert info["enrollment_counts"] == {"audit": 2, "verified": 1, "total": 3}
    assert info["end"].startswith("2030-06-30") and info["enrollment_start"].startswith("2019-12-01")
    assert info["grade_cutoffs"] == {"A": 0.9, "B": 0.8, "Pass": 0.5}
    assert info["outline_url"] == f"/courses/{course}/course/" and info["studio_url"] is None
    assert info["has_started"] is True and info["has_ended"] is False


def test_the_page_is_the_first_section(course, client_as):
    staff = client_as("staff", course)
    first = staff.get(f"/courses/{course}/instructor")
    assert first.status_code == 302 and first.headers["Location"].endswith(f"/courses/{course}/instructor/course_info")
    page = staff.get(f"/courses/{course}/instructor/course_info").get_data(as_text=True)
    assert "Info course" in page and 'id="enrollment-total">3<' in page and "90%" in page
    assert f'href="/courses/{course}/course/"' in page and "/studio/course/" not in page


def test_learners_and_visitors_are_refused(app, course, client_as):
    assert client_as("learner", course).get(f"/api/instructor/v1/courses/{course}/info").status_code == 403
    assert client_as("learner", course).get(f"/courses/{course}/instructor/course_info").status_code == 403
    anonymous = app.test_client().get(f"/api/instructor/v1/courses/{course}/info")
    assert anonymous.status_code == 401 and anonymous.get_json()["developer_message"]
    missing = client_as("global_staff").get("/api/instructor/v1/courses/course-v1:No+Such+Course/info")
    assert missing.status_code == 404
