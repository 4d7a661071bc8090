"""Password reset by e-mail."""

from __future__ import annotations

import re
import time

from kampus.identity.models import LoginFailure
from kampus.testing import TEST_PASSWORD, login

from .conftest import link_in, log_in, update_user

NEW = "brand-new-password-1"


def ask_reset(client, email):
    return client.post("/password/reset", data={"email": email})


def without_csrf_token(html: str) -> str:
    return re.sub(r'(name="csrf[_-]token" (?:value|content)=")[^"]*"', r'\1"', html)


def test_reset_answer_is_the_same_for_unknown_addresses(client, user, mailbox):
    known = ask_reset(client, user.email)
    unknown = ask_reset(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    # the same page, but for the CSRF token (signed with the second it was made in)
    assert without_csrf_token(known.get_data(as_text=True)) == without_csrf_token(unknown.get_data(as_text=True))
    assert [message["To"] for message in mailbox] == [user.email]
    assert mailbox[0]["Subject"].startswith("Reset your")


def test_reset_flow_and_reuse_is_invalid(app, client, user, mailbox, events):
    other_session = login(app.test_client(), user)
    assert other_session.get("/account").status_code == 200
    ask_reset(client, user.email)
    path = link_in(mailbox[0])
    assert path.startswith("/password/reset/")
    form = client.get(path)
    assert form.status_code == 200 and 'autocomplete="new-password"' in form.get_data(as_text=True)

    mismatch = client.post(path, data={"password": NEW, "password_again": NEW + "x"})
    assert mismatch.status_code == 400 and "differ" in mismatch.get_data(as_text=True)
    short = client.post(path, data={"password": "short", "password_again": "short"})
    assert short.status_code == 400
    response = client.post(path, data={"password": NEW, "password_again": NEW})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert events.of_type("edx.user.settings.changed")[-1]["event"]["setting"] == "password"

    # Used once: the link is dead, the old password is dead, other sessions ended.
    assert client.get(path).status_code == 400
    again = client.post(path, data={"password": "another-password", "password_again": "another-password"})
    assert again.status_code == 400
    assert log_in(client, user.username, TEST_PASSWORD).status_code == 400
    assert other_session.get("/account").status_code == 302
    assert log_in(client, user.username, NEW).status_code == 302


def test_an_older_link_dies_when_a_newer_one_is_used(client, user, mailbox):
    ask_reset(client, user.email)
    ask_reset(client, user.email)
    first, second = link_in(mailbox[0]), link_in(mailbox[1])
    assert client.post(second, data={"password": NEW, "password_again": NEW}).status_code == 302
    assert client.get(first).status_code == 400


def test_reset_link_expires_after_a_day(client, user, mailbox, monkeypatch):
    ask_reset(client, user.email)
    path = link_in(mailbox[0])
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 23 * 3600)
    assert client.get(path).status_code == 200
    monkeypatch.setattr(time, "time", lambda: now + 25 * 3600)
    assert client.get(path).status_code == 400


def test_reset_link_is_refused_for_inactive_users_and_tampering(app, client, user, mailbox):
    ask_reset(client, user.email)
    path = link_in(mailbox[0])
    assert client.get(path.replace("/reset/", "/reset/x")).status_code == 400
    update_user(app, user, is_active=False)
    assert client.get(path).status_code == 400
    ask_reset(client, user.email)
    assert len(mailbox) == 1  # no mail to an inactive account


def test_confirmation_link_is_not_a_reset_link(app, client, mailbox):
    client.post("/register", data={"username": "cat", "email": "cat@example.com", "password": "cat-password-1"})
    token = link_in(mailbox[0]).rsplit("/", 1)[1]
    assert client.get(f"/password/reset/{token}").status_code == 400


def test_reset_clears_login_throttle(app, client, user, mailbox):
    with app.extensions["kampus"].db.session_scope() as db_session:
        db_session.add_all(LoginFailure(username=user.username, ip="127.0.0.1") for _ in range(10))
    assert log_in(client, user.username).status_code == 429
    ask_reset(client, user.email)
    client.post(link_in(mailbox[0]), data={"password": NEW, "password_again": NEW})
    assert log_in(client, user.username, NEW).status_code == 302
