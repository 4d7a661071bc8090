"""The enroll and unenroll forms: redirects, flashed reasons, CSRF, visitors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from kampus_content.api import Block
from kampus_content.testing.xblocks import publish_course
from kampus_lms.enrollment import api

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")

COURSE = "course-v1:Org+Views+1"
HOME = f"/courses/{COURSE}/course/"
ABOUT = f"/courses/{COURSE}/about"


def publish(app, **fields: str) -> None:
    publish_course(app, COURSE, {"unit": [Block("html", "page", {"data": "<p>Hello</p>"})]},
                   course_fields={"display_name": "Views course", **fields})


def enrolled(app, user) -> bool:
    with app.test_request_context():
        return api.is_enrolled(user.id, COURSE)


def test_enroll_then_unenroll_through_the_forms(app, client_as, events) -> None:
    publish(app)
    learner = client_as("user")
    response = learner.post(f"/courses/{COURSE}/enroll")
    assert response.status_code == 303 and response.headers["Location"].endswith(HOME)
    assert enrolled(app, learner.user)
    again = learner.post(f"/courses/{COURSE}/enroll")  # a double submit
    assert again.status_code == 303 and again.headers["Location"].endswith(HOME)
    assert len(events.of_type(api.EVENT_ACTIVATED)) == 1
    activated = events.of_type(api.EVENT_ACTIVATED)[0]
    assert activated["username"] == learner.user.username and activated["context"]["path"].endswith("/enroll")

    left = learner.post(f"/courses/{COURSE}/unenroll")
    assert left.status_code == 303 and left.headers["Location"].endswith("/dashboard")
    assert not enrolled(app, learner.user)
    assert len(events.of_type(api.EVENT_DEACTIVATED)) == 1
    page = learner.get("/dashboard")
    assert "You are unenrolled from Views course." in page.text


def test_a_refusal_goes_back_to_the_about_page_with_the_reason(app, client_as) -> None:
    publish(app, enrollment_end=(datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    learner = client_as("user")
    response = learner.post(f"/courses/{COURSE}/enroll")
    assert response.status_code == 303 and response.headers["Location"].endswith(ABOUT)
    assert not enrolled(app, learner.user)
    with learner.session_transaction() as session:
        assert ("danger", "Enrollment in this course is closed.") in session["_flashes"]


def test_a_bad_mode_is_refused(app, client_as) -> None:
    publish(app)
    learner = client_as("user")
    response = learner.post(f"/courses/{COURSE}/enroll", data={"mode": "verified"})
    assert response.status_code == 303 and response.headers["Location"].endswith(ABOUT)
    assert learner.post(f"/courses/{COURSE}/enroll", data={"mode": "x" * 500}).status_code == 400
    assert not enrolled(app, learner.user)


def test_a_visitor_logs_in_first_and_comes_back_to_the_enroll_page(app, client) -> None:
    publish(app)
    response = client.post(f"/courses/{COURSE}/enroll")
    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login" and parse_qs(location.query)["next"] == [f"/courses/{COURSE}/enroll"]


def test_the_enroll_page_after_login(app, client_as) -> None:
    publish(app)
    learner = client_as("user")
    page = learner.get(f"/courses/{COURSE}/enroll")
    assert page.status_code == 200
    assert "Enroll in Views course" in page.text and 'id="enroll-button"' in page.text
    assert f'action="/courses/{COURSE}/enroll"' in page.text
    learner.post(f"/courses/{COURSE}/enroll")
    assert learner.get(f"/courses/{COURSE}/enroll").headers["Location"].endswith(HOME)


def test_the_enroll_page_offers_the_free_tracks(app, client_as) -> None:
    publish(app)
    with app.test_request_context():
        api.set_course_mode(COURSE, "audit", "Audit")
        api.set_course_mode(COURSE, "honor", "Honor certificate")
        api.set_course_mode(COURSE, "verified", "Verified", min_price=49)
    learner = client_as("user")
    page = learner.get(f"/courses/{COURSE}/enroll").text
    assert 'value="audit"' in page and 'value="honor"' in page and 'value="verified"' not in page
    learner.post(f"/courses/{COURSE}/enroll", data={"mode": "honor"})
    with app.test_request_context():
        assert api.get_enrollment(learner.user.id, COURSE).mode == "honor"


def test_without_the_csrf_token_nothing_is_written(app, client_as) -> None:
    publish(app)
    learner = client_as("user")
    assert learner.post(f"/courses/{COURSE}/enroll", csrf=False).status_code == 400
    assert not enrolled(app, learner.user)


def test_unknown_courses_are_404(app, client_as) -> None:
    learner = client_as("user")
    assert learner.post(f"/courses/{COURSE}/enroll").status_code == 404
    assert learner.post("/courses/not-a-key/enroll").status_code == 404
    assert learner.get(f"/courses/{COURSE}/enroll").status_code == 404


def test_unenrolling_twice_or_as_a_visitor(app, client, client_as) -> None:
    publish(app)
    learner = client_as("user")
    response = learner.post(f"/courses/{COURSE}/unenroll")
    assert response.status_code == 303
    with learner.session_transaction() as session:
        assert ("info", "You were not enrolled in Views course.") in session["_flashes"]
    assert client.post(f"/courses/{COURSE}/unenroll").status_code in (302, 303)
