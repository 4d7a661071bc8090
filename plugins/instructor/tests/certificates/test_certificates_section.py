"""The certificates section: generation for all eligible learners (a background task, eager in tests),
regeneration of one learner, the allowlist (certificate exceptions) and invalidations with notes, through
Open edX's instructor API paths, a bearer token and the page; TAs look only."""

from __future__ import annotations

from kampus_lms.api import certificate_status

from kampus.oauth2.clients import create_client
from kampus.testing import TEST_PASSWORD, make_user

COURSE = "course-v1:KampusX+Cert201+2026"  #: the ``course`` fixture


def api(action):
    return f"/courses/{COURSE}/instructor/api/{action}"


def test_allowlist_then_generate_for_all_then_invalidate(app, course, client_as, enrolled):
    staff = client_as("staff", course)
    lucky = enrolled("lucky")
    enrolled("plain")
    added = staff.post(api("certificate_exception_view/"), json={"user_name": "lucky", "notes": "Finished offline"})
    assert added.status_code == 200, added.get_data(as_text=True)
    assert added.get_json()["user_name"] == "lucky" and added.get_json()["notes"] == "Finished offline"
    again = staff.post(api("certificate_exception_view/"), json={"user_name": "lucky"})
    assert again.status_code == 400 and "already" in again.get_json()["developer_message"]
    started = staff.post(api("start_certificate_generation"))
    assert started.status_code == 200 and started.get_json()["task_id"]
    with app.test_request_context():
        assert certificate_status(lucky.id, COURSE).status == "downloadable"
    summary = staff.get(f"/api/instructor/v1/courses/{COURSE}/certificates").get_json()
    assert summary["counts"]["downloadable"] == 1 and [e["user_name"] for e in summary["allowlist"]] == ["lucky"]
    invalidated = staff.post(api("certificate_invalidation_view/"), json={"user": "lucky", "notes": "Plagiarism"})
    assert invalidated.status_code == 200 and invalidated.get_json()["notes"] == "Plagiarism"
    with app.test_request_context():
        assert certificate_status(lucky.id, COURSE).status != "downloadable"
    page = staff.get(f"/courses/{COURSE}/instructor/certificates").get_data(as_text=True)
    assert "Plagiarism" in page and "Finished offline" in page
    assert staff.delete(api("certificate_invalidation_view/"), json={"user": "lucky"}).status_code == 204
    with app.test_request_context():
        assert certificate_status(lucky.id, COURSE).status == "downloadable"
    assert staff.delete(api("certificate_exception_view/"), json={"user_name": "lucky"}).status_code == 204
    assert staff.get(f"/api/instructor/v1/courses/{COURSE}/certificates").get_json()["allowlist"] == []


def test_bad_input_gets_clear_400s(app, course, client_as, enrolled):
    staff = client_as("staff", course)
    enrolled("nocert")
    assert staff.post(api("certificate_exception_view/"), json={"user_name": ""}).status_code == 400
    ghost = staff.post(api("certificate_exception_view/"), json={"user_name": "ghost"})
    assert ghost.status_code == 400 and "does not exist" in ghost.get_json()["user_message"]
    none = staff.post(api("certificate_invalidation_view/"), json={"user": "nocert"})
    assert none.status_code == 400 and "does not have certificate" in none.get_json()["developer_message"]
    assert staff.post(api("generate_certificate_exceptions/some")).status_code == 400
    long_notes = {"user_name": "nocert", "notes": "x" * 3000}
    assert staff.post(api("certificate_exception_view/"), json=long_notes).status_code == 400


def test_regenerate_one_learner(app, course, client_as, enrolled):
    staff = client_as("staff", course)
    enrolled("single")
    staff.post(api("certificate_exception_view/"), json={"user_name": "single"})
    answer = staff.post(f"/api/instructor/v1/courses/{COURSE}/certificates/regenerate", json={"user": "single"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json() == {"username": "single", "status": "downloadable"}


def test_tas_look_and_learners_are_refused(app, course, client_as, enrolled):
    ta = client_as("ta", course)
    assert ta.get(f"/api/instructor/v1/courses/{COURSE}/certificates").status_code == 200
    assert ta.post(api("start_certificate_generation")).status_code == 403
    assert "Generate certificates" not in ta.get(f"/courses/{COURSE}/instructor/certificates").get_data(as_text=True)
    assert client_as("learner", course).get(f"/courses/{COURSE}/instructor/certificates").status_code == 403


def test_generation_with_a_bearer_token(app, course):
    instructor = make_user(app, "instructor", COURSE)
    with app.app_context(), app.extensions["kampus"].db.session_scope() as db_session:
        create_client(db_session, "Cert tests", "public", client_id="cert-tests")
    token = app.test_client().post("/oauth2/access_token", data={
        "grant_type": "password", "client_id": "cert-tests", "username": instructor.username,
        "password": TEST_PASSWORD}).get_json()["access_token"]
    answer = app.test_client().post(api("start_certificate_generation"), csrf=False,
                                    headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
