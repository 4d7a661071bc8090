"""Pre-enrollment by e-mail (``kampus enroll``) and auto-enrollment when the address registers."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from kampus_content.api import Block
from kampus_content.testing.xblocks import publish_course
from kampus_lms.enrollment import api, cli
from kampus_lms.enrollment.demo import enroll_demo_learner

from kampus import db
from kampus.identity import links
from kampus.identity.models import User
from kampus.testing import TEST_PASSWORD, login, make_user

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")

COURSE = "course-v1:Org+Pre+1"
OTHER = "course-v1:Org+Pre+2"


def publish(app, course_id: str = COURSE, **fields: str) -> None:
    publish_course(app, course_id, {"unit": [Block("html", "page", {"data": "<p>Hello</p>"})]},
                   course_fields={"display_name": "Pre-enrollment course", **fields})


@pytest.fixture
def run_enroll(app, monkeypatch):
    monkeypatch.setattr(cli, "load_app", lambda: app)

    def run(*args: str):
        return CliRunner().invoke(cli.enroll_command, list(args))
    return run


def register(client, username: str, email: str):
    """Register, then open the confirmation link (allowances wait for a confirmed address)."""
    response = client.post("/register", data={"username": username, "email": email, "name": username.title(),
                                              "password": TEST_PASSWORD})
    app = client.application
    with app.test_request_context():
        user = db.session().scalar(sa.select(User).where(User.username == username))
        token = links.confirmation_token(user) if user is not None else None
    if token is not None:
        assert client.get(f"/confirm/{token}").status_code == 302
    return response


def test_auto_enroll_on_registration_through_the_registration_page(app, client, run_enroll, events) -> None:
    publish(app, invitation_only="true")
    publish(app, OTHER)
    result = run_enroll("--course", COURSE, "--email", "New.Learner@Example.com", "--auto-enroll", "--mode", "audit")
    assert result.exit_code == 0, result.output
    assert "Pre-enrolled new.learner@example.com" in result.output and "when it registers" in result.output
    plain = run_enroll("--course", OTHER, "--email", "new.learner@example.com")  # allowed, not auto-enrolled
    assert plain.exit_code == 0, plain.output

    response = register(client, "newlearner", "new.learner@example.com")
    assert response.status_code in (200, 302), response.text
    with app.test_request_context():
        user_id = next(a.user_id for a in api.allowances_of("new.learner@example.com"))
        assert user_id is not None
        assert api.is_enrolled(user_id, COURSE)
        assert not api.is_enrolled(user_id, OTHER)
        assert {a.course_id: a.user_id for a in api.allowances_of("NEW.learner@example.com")} == {
            COURSE: user_id, OTHER: user_id}
    activated = events.of_type(api.EVENT_ACTIVATED)
    assert [event["event"] for event in activated] == [{"course_id": COURSE, "user_id": user_id, "mode": "audit"}]
    assert activated[0]["username"] == "newlearner"


def test_an_allowance_without_auto_enroll_lets_the_learner_into_an_invitation_only_course(app, client,
                                                                                           run_enroll) -> None:
    publish(app, invitation_only="true")
    assert run_enroll("--course", COURSE, "--email", "invited@example.com").exit_code == 0
    register(client, "invited", "invited@example.com")
    stranger = make_user(app)
    with app.test_request_context():
        invited = next(a for a in api.allowances_of("invited@example.com"))
        assert not api.is_enrolled(invited.user_id, COURSE)
        with pytest.raises(api.EnrollmentError):
            api.enroll(stranger, COURSE)
        account = db.session().get(User, invited.user_id)
        db.session().expunge(account)
    login(client, account)
    response = client.post(f"/courses/{COURSE}/enroll")
    assert response.status_code == 303 and response.headers["Location"].endswith("/course/")
    with app.test_request_context():
        assert api.is_enrolled(invited.user_id, COURSE)


def test_enroll_an_existing_account_by_email_or_user_name(app, run_enroll, events) -> None:
    publish(app, invitation_only="true")
    learner = make_user(app)
    result = run_enroll("--course", COURSE, "--email", learner.email.upper())
    assert result.exit_code == 0, result.output
    assert "Enrolled the account" in result.output
    other = make_user(app)
    result = run_enroll("--course", COURSE, "--username", other.username, "--mode", "audit")
    assert result.exit_code == 0 and f"Enrolled {other.username}" in result.output
    with app.test_request_context():
        assert api.is_enrolled(learner.id, COURSE) and api.is_enrolled(other.id, COURSE)
        assert api.allowances_of(learner.email) == []
    assert len(events.of_type(api.EVENT_ACTIVATED)) == 2


def test_enroll_command_errors(app, run_enroll) -> None:
    publish(app)
    make_user(app, username="someone")
    cases = [
        (["--course", COURSE], "exactly one"),
        (["--course", COURSE, "--username", "someone", "--email", "a@b.example"], "exactly one"),
        (["--course", COURSE, "--username", "someone", "--auto-enroll"], "--auto-enroll"),
        (["--course", COURSE, "--username", "nobody"], "there is no user nobody"),
        (["--course", COURSE, "--email", "not-an-address"], "not an e-mail address"),
        (["--course", OTHER, "--username", "someone"], "There is no published course"),
        (["--course", COURSE, "--email", "x@example.com", "--mode", "gold"], "no gold track"),
    ]
    for args, message in cases:
        result = run_enroll(*args)
        assert result.exit_code != 0, args
        assert message in result.output, (args, result.output)
        assert "Traceback" not in result.output
    with app.test_request_context():
        assert api.allowances_of("x@example.com") == []


def test_the_demo_learner_is_enrolled_where_it_holds_the_learner_role(app) -> None:
    publish(app)
    demo = make_user(app, "learner", course_id=COURSE, username="learner")
    with app.test_request_context():
        assert enroll_demo_learner(False) == []
        assert enroll_demo_learner(True) == [f"Demo learner enrolled in {COURSE}: its course home is "
                                             f"/courses/{COURSE}/course/"]
        assert api.is_enrolled(demo.id, COURSE)
