"""Pre-enrollment acts only on a confirmed e-mail address (an unconfirmed one proves nothing), and the
enrollment limit holds when learners enroll at the same moment."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from kampus_content.api import Block
from kampus_content.testing.xblocks import publish_course
from kampus_lms.enrollment import api

from kampus import db
from kampus.identity import links
from kampus.identity.models import User
from kampus.testing import TEST_PASSWORD, login, make_user

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")

COURSE = "course-v1:Org+Confirm+1"


def publish(app, course_id: str = COURSE, **fields: str) -> None:
    publish_course(app, course_id, {"unit": [Block("html", "page", {"data": "<p>Hello</p>"})]},
                   course_fields={"display_name": "Confirmed course", **fields})


def register(app, client, username: str, email: str) -> User:
    response = client.post("/register", data={"username": username, "email": email, "name": username.title(),
                                              "password": TEST_PASSWORD})
    assert response.status_code in (200, 302), response.text
    with app.test_request_context():
        user = db.session().scalar(sa.select(User).where(User.username == username))
        db.session().expunge(user)
    return user


def confirm(app, client, user: User) -> None:
    with app.test_request_context():
        token = links.confirmation_token(user)
    assert client.get(f"/confirm/{token}").status_code == 302


def test_auto_enrollment_waits_for_the_confirmed_address(app, client) -> None:
    publish(app, invitation_only="true")
    with app.test_request_context():
        api.allow_enrollment(COURSE, "ada@example.com", auto_enroll=True)
    ada = register(app, client, "ada", "ada@example.com")
    with app.test_request_context():
        assert not api.is_enrolled(ada.id, COURSE)
        assert [a.user_id for a in api.allowances_of("ada@example.com")] == [None]  # not claimed yet
    confirm(app, client, ada)
    with app.test_request_context():
        assert api.is_enrolled(ada.id, COURSE)
        assert [a.user_id for a in api.allowances_of("ada@example.com")] == [ada.id]


@pytest.mark.parametrize("kampus_settings", [{"require_email_confirmation": False}])
def test_without_confirmation_the_account_creation_is_the_moment(app, client) -> None:
    publish(app)
    with app.test_request_context():
        api.allow_enrollment(COURSE, "bob@example.com", auto_enroll=True)
    bob = register(app, client, "bob", "bob@example.com")
    with app.test_request_context():
        assert api.is_enrolled(bob.id, COURSE)


def test_an_invitation_needs_a_confirmed_address_to_enroll_oneself(app, client) -> None:
    publish(app, invitation_only="true")
    with app.test_request_context():
        api.allow_enrollment(COURSE, "cara@example.com")
    unconfirmed = make_user(app, "user", email="cara@example.com")
    with app.test_request_context():
        db.session().execute(sa.update(User).where(User.id == unconfirmed.id).values(email_confirmed_at=None))
        db.session().commit()
        account = db.session().get(User, unconfirmed.id)
        with pytest.raises(api.EnrollmentError) as refused:
            api.enroll(account, COURSE)
        assert refused.value.code == "invitation_only"
        assert api.enrollment_refusal(account, COURSE) is not None
    page = login(app.test_client(), unconfirmed).get(f"/courses/{COURSE}/about").get_data(as_text=True)
    assert 'id="enrollment-invitation"' in page and 'class="lms-enroll-form"' not in page  # the about page agrees
    with app.test_request_context():
        db.session().execute(sa.update(User).where(User.id == unconfirmed.id).values(
            email_confirmed_at=sa.func.current_timestamp()))
        db.session().commit()
        account = db.session().get(User, unconfirmed.id)
        assert api.enrollment_refusal(account, COURSE) is None
        assert api.enroll(account, COURSE).is_active


def test_two_learners_enrolling_at_once_do_not_exceed_the_limit(app) -> None:
    publish(app, max_student_enrollments_allowed="1")
    users = [make_user(app, "user") for _ in range(4)]
    barrier = threading.Barrier(len(users))
    outcomes: list[str] = []

    def attempt(user: User) -> None:
        with app.test_request_context():
            account = db.session().get(User, user.id)
            barrier.wait()
            try:
                api.enroll(account, COURSE)
                outcomes.append("enrolled")
            except api.EnrollmentError as error:
                outcomes.append(error.code)

    threads = [threading.Thread(target=attempt, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["enrolled", "full", "full", "full"], outcomes
    with app.test_request_context():
        assert api.count_enrolled_learners(COURSE) == 1
