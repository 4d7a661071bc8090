"""Review of issue 19: a batch of enrollments or beta testers never answers 500 half done; each identifier
is changed (or not) on its own, a message that cannot be sent is reported on its identifier."""

from __future__ import annotations

import pytest
from kampus_instructor.membership import service
from kampus_lms.api import EnrollmentError, get_enrollment

from kampus.identity.roles import BETA_TESTER
from kampus.testing import make_user

from .conftest import COURSE

API = f"/courses/{COURSE}/instructor/api"


@pytest.fixture
def failing_mailer(app):
    """The second message sent fails (an SMTP server going down)."""
    kampus = app.extensions["kampus"]
    original, calls = kampus.mailer.send, {"n": 0}

    def send(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("SMTP down")
        return original(*args, **kwargs)

    kampus.mailer.send = send
    yield calls
    kampus.mailer.send = original


def enrolled(app, users) -> list[bool]:
    with app.app_context():
        return [bool(get_enrollment(user.id, COURSE)) for user in users]


def test_a_mail_failure_is_reported_per_identifier(app, client_as, course, failing_mailer):
    staff = client_as("staff", course)
    users = [make_user(app, "user") for _ in range(3)]
    answer = staff.post(f"{API}/students_update_enrollment", data={
        "action": "enroll", "identifiers": ",".join(u.username for u in users), "email_students": "true"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    results = answer.get_json()["results"]
    assert [r["after"]["enrollment"] for r in results] == [True, True, True]
    assert [bool(r.get("emailFailed")) for r in results] == [False, True, False]
    assert enrolled(app, users) == [True, True, True]
    assert failing_mailer["n"] == 3


def test_an_unexpected_error_is_that_identifiers_error(app, client_as, course, monkeypatch):
    staff = client_as("staff", course)
    users = [make_user(app, "user") for _ in range(3)]
    real_enroll = service.enroll

    def flaky(user, *args, **kwargs):
        if user.id == users[1].id:
            raise RuntimeError("database hiccup")
        return real_enroll(user, *args, **kwargs)

    monkeypatch.setattr(service, "enroll", flaky)
    answer = staff.post(f"{API}/students_update_enrollment", data={
        "action": "enroll", "identifiers": ",".join(u.username for u in users)})
    assert answer.status_code == 200
    assert [r.get("error", False) for r in answer.get_json()["results"]] == [False, True, False]
    assert enrolled(app, users) == [True, False, True]


def test_beta_tester_role_and_enrollment_are_both_or_neither(app, client_as, course, monkeypatch):
    staff = client_as("staff", course)
    users = [make_user(app, "user") for _ in range(3)]

    def refused(user, *args, **kwargs):
        if user.id == users[0].id:
            raise EnrollmentError("closed", "closed")
        raise RuntimeError("unexpected")

    monkeypatch.setattr(service, "enroll", refused)
    answer = staff.post(f"{API}/bulk_beta_modify_access", data={
        "action": "add", "identifiers": ",".join(u.username for u in users[:2]), "auto_enroll": "true"})
    assert answer.status_code == 200
    assert [r["error"] for r in answer.get_json()["results"]] == [True, True]
    with app.app_context():
        assert service.role_members(COURSE, BETA_TESTER) == []  # the role was not kept without the enrollment
    monkeypatch.undo()
    kampus = app.extensions["kampus"]
    original, calls = kampus.mailer.send, []

    def send(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise OSError("SMTP down")
        return original(*args, **kwargs)

    monkeypatch.setattr(kampus.mailer, "send", send)
    answer = staff.post(f"{API}/bulk_beta_modify_access", data={
        "action": "add", "identifiers": ",".join(u.username for u in users), "auto_enroll": "true",
        "email_students": "true"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    results = answer.get_json()["results"]
    assert [r["error"] for r in results] == [False, False, False]
    assert [bool(r.get("emailFailed")) for r in results] == [False, True, False]
    with app.app_context():
        assert {u.id for u in service.role_members(COURSE, BETA_TESTER)} == {u.id for u in users}
    assert enrolled(app, users) == [True, True, True]


def test_modify_access_is_for_instructors_only_even_for_beta_testers(app, client_as, course):
    staff = client_as("staff", course)
    tester = make_user(app, "user")
    refused = staff.post(f"{API}/modify_access", data={
        "unique_student_identifier": tester.username, "rolename": "beta", "action": "allow"})
    assert refused.status_code == 403
    with app.app_context():
        assert service.role_members(COURSE, BETA_TESTER) == []
    instructor = client_as("instructor", course)
    done = instructor.post(f"{API}/modify_access", data={
        "unique_student_identifier": tester.username, "rolename": "beta", "action": "allow"})
    assert done.status_code == 200 and done.get_json()["success"] == "yes"
