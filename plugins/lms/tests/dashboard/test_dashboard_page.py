"""The learner dashboard: cards of the active enrollments, progress, resume, grade, certificate, unenroll."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from kampus_content.api import Block
from kampus_content.progress.completion import record_completion
from kampus_content.testing.xblocks import publish_course
from kampus_lms.certificates.api import update_certificate
from kampus_lms.courseware.position import record_visit
from kampus_lms.enrollment import api as enrollment
from kampus_lms.grades.api import course_grade

from kampus import db
from kampus.testing import recording_statements

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")

COURSE = "course-v1:Org+Dash+1"


def publish(app, course_id: str = COURSE, name: str = "Dashboard course", **fields: str) -> dict[str, str]:
    return publish_course(app, course_id, {
        "unit1": [Block("html", "page1", {"data": "<p>One</p>"})],
        "unit2": [Block("html", "page2", {"data": "<p>Two</p>"})],
    }, course_fields={"display_name": name, **fields})


def enroll(app, user, course_id: str = COURSE, mode: str | None = None) -> None:
    with app.test_request_context():
        enrollment.enroll(user, course_id, mode, check_access=False)


def cards(html: str) -> list[str]:
    return re.findall(r'<article class="card shadow-sm lms-dashboard-card"[^>]*data-course-id="([^"]+)"', html)


def test_visitors_log_in_first(client) -> None:
    response = client.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_empty_dashboard_points_to_the_catalog(app, client_as) -> None:
    learner = client_as("user")
    page = learner.get("/dashboard")
    assert page.status_code == 200
    assert 'id="dashboard-empty"' in page.text and 'href="/courses"' in page.text
    assert "You are not enrolled in any course yet." in page.text


def test_the_dashboard_is_in_the_navigation_of_logged_in_users(app, client, client_as) -> None:
    assert 'href="/dashboard"' in client_as("user").get("/account").text
    assert 'href="/dashboard"' not in client.get("/login").text


def test_cards_of_the_active_enrollments(app, client_as) -> None:
    publish(app)
    publish(app, "course-v1:Org+Dash+2", "Second course")
    publish(app, "course-v1:Org+Dash+3", "Left course")
    learner = client_as("user")
    enroll(app, learner.user)
    enroll(app, learner.user, "course-v1:Org+Dash+2")
    enroll(app, learner.user, "course-v1:Org+Dash+3")
    with app.test_request_context():
        enrollment.unenroll(learner.user, "course-v1:Org+Dash+3")
    page = learner.get("/dashboard").text
    assert cards(page) == ["course-v1:Org+Dash+2", COURSE]  # the latest enrollment first; no inactive one
    assert "Dashboard course" in page and "Second course" in page and "Left course" not in page
    assert "Audit" in page and f'href="/courses/{COURSE}/course/"' in page
    assert "Start course" in page and "Resume course" not in page
    assert page.count('aria-valuenow="0"') == 2
    # the unenroll confirmation of each course
    assert f'action="/courses/{COURSE}/unenroll"' in page
    assert "Unenroll from Dashboard course?" in page


def test_progress_and_resume(app, client_as) -> None:
    ids = publish(app)
    learner = client_as("user")
    enroll(app, learner.user)
    with app.test_request_context():
        record_completion(db.session(), user_id=learner.user.id, course_key=COURSE, usage_key=ids["page1"],
                          block_type="html", completion=1.0)
        record_visit(learner.user.id, COURSE, ids["lesson1"], ids["unit1"])
        db.session().commit()
    page = learner.get("/dashboard").text
    assert 'aria-valuenow="50"' in page and "50% complete" in page
    assert "Resume course" in page and f'href="/courses/{COURSE}/jump_to/{ids["unit1"]}"' in page
    assert "Start course" not in page


def test_a_course_not_started_yet(app, client_as) -> None:
    start = datetime.now(UTC) + timedelta(days=30)
    publish(app, start=start.strftime("%Y-%m-%dT%H:%M:%SZ"))
    learner = client_as("user")
    enroll(app, learner.user)
    page = learner.get("/dashboard").text
    assert "This course has not started yet." in page
    assert "Start course" not in page and "Resume course" not in page
    assert f'datetime="{start.replace(microsecond=0).isoformat()}' in page or "<time" in page


def test_the_grade_and_the_certificate(app, client_as) -> None:
    publish(app, certificates={"certificates": [{
        "id": 1, "name": "Certificate", "description": "", "course_title": "", "is_active": True, "version": 1,
        "signatories": [{"id": 1, "name": "Ada", "title": "Lead", "organization": "Org"}]}]},
        grading_policy={"GRADER": [], "GRADE_CUTOFFS": {"Pass": 0.0}},
        self_paced=True)  # Open edX shows an instructor-paced course's certificates only after its end
    learner = client_as("user")
    with app.test_request_context():
        enrollment.set_course_mode(COURSE, "honor", "Honor")
    enroll(app, learner.user, mode="honor")
    with app.test_request_context():
        course_grade(learner.user.id, COURSE)  # computed and stored by the grades area
        update_certificate(learner.user.id, COURSE, {"percent": 0.85, "passed": True, "letter_grade": "Pass"})
    page = learner.get("/dashboard").text
    assert "Current grade:" in page
    assert "Your certificate is available." in page
    assert re.search(r'href="/certificates/[0-9a-f]+"', page) and re.search(r'href="/certificates/[0-9a-f]+\.pdf"',
                                                                               page)


def test_a_certificate_not_yet_viewable_says_when(app, client_as) -> None:
    """An instructor-paced course with a later certificate date: earned, but not shown until then."""
    publish(app, certificates={"certificates": [{
        "id": 1, "name": "Certificate", "description": "", "course_title": "", "is_active": True, "version": 1,
        "signatories": [{"id": 1, "name": "Ada", "title": "Lead", "organization": "Org"}]}]},
        grading_policy={"GRADER": [], "GRADE_CUTOFFS": {"Pass": 0.0}},
        certificates_display_behavior="end_with_date", certificate_available_date="2999-05-01T00:00:00Z")
    learner = client_as("user")
    with app.test_request_context():
        enrollment.set_course_mode(COURSE, "honor", "Honor")
    enroll(app, learner.user, mode="honor")
    with app.test_request_context():
        course_grade(learner.user.id, COURSE)
        update_certificate(learner.user.id, COURSE, {"percent": 0.85, "passed": True, "letter_grade": "Pass"})
    page = learner.get("/dashboard").text
    assert "You earned a certificate. It will be available on May 1, 2999." in page
    assert "/certificates/" not in page
    progress = learner.get(f"/courses/{COURSE}/progress").text
    assert "It will be available on May 1, 2999." in progress


def test_an_unpublished_course_can_still_be_left(app, client_as) -> None:
    publish(app)
    learner = client_as("user")
    enroll(app, learner.user)
    with app.app_context():
        store = app.extensions["kampus"].driver("content_store")
        store.delete_course(COURSE)
    page = learner.get("/dashboard").text
    assert cards(page) == [COURSE] and "This course is not available at the moment." in page
    assert f'action="/courses/{COURSE}/unenroll"' in page


def dashboard_statements(app, learner, courses: int) -> list[list[str]]:
    """The statements of the dashboard with 1, 2, ... ``courses`` enrollments (caches warm)."""
    runs = []
    for number in range(1, courses + 1):
        course_id = f"course-v1:Org+Many+{number}"
        publish(app, course_id, f"Course {number}")
        enroll(app, learner.user, course_id)
        learner.get("/dashboard")  # warm the caches
        with recording_statements(app) as recorded:
            assert learner.get("/dashboard").status_code == 200
        runs.append(recorded.queries)
    return runs


def test_enrollments_overviews_and_certificates_are_read_once_whatever_the_number_of_courses(app,
                                                                                            client_as) -> None:
    runs = dashboard_statements(app, client_as("user"), 4)
    for table in ("lms_course_enrollment", "lms_course_overviews", "lms_generated_certificate",
                  "content_course_index", "kampus_user"):
        counts = [sum(1 for statement in run if f"FROM {table}" in statement) for run in runs]
        assert counts == [counts[0]] * 4 and counts[0] <= 2, (table, counts)


def test_queries_do_not_grow_with_the_number_of_courses(app, client_as) -> None:
    counts = [len(run) for run in dashboard_statements(app, client_as("user"), 4)]
    assert counts[-1] == counts[1], counts
