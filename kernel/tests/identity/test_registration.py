"""Registration and e-mail confirmation."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from kampus.identity.models import User

from .conftest import link_in, log_in, mail_text

PASSWORD = "a-good-long-password"


def register(client, username="ada", email="ada@example.com", password=PASSWORD, **extra):
    return client.post("/register", data={"username": username, "email": email, "password": password, **extra})


def stored_user(app, username):
    with app.extensions["kampus"].db.session_scope() as db_session:
        return db_session.scalar(sa.select(User).where(User.username == username))


def test_register_page_renders(client):
    page = client.get("/register").get_data(as_text=True)
    assert 'for="username"' in page and 'name="csrf_token"' in page
    assert "<script>" not in page


def test_registration_sends_confirmation_and_blocks_login_until_confirmed(app, client, mailbox, events):
    response = register(client)
    assert response.status_code == 200
    assert "Check your e-mail" in response.get_data(as_text=True)
    assert len(mailbox) == 1 and mailbox[0]["To"] == "ada@example.com"
    assert "/confirm/" in mail_text(mailbox[0])
    assert stored_user(app, "ada").email_confirmed_at is None
    [registered] = events.of_type("edx.bi.user.account.registered")
    assert registered["username"] == "ada" and registered["context"]["user_id"] == stored_user(app, "ada").id

    response = log_in(client, "ada", PASSWORD)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Confirm your e-mail address first" in page
    assert "/confirm/resend" in page

    response = client.get(link_in(mailbox[0]))
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert stored_user(app, "ada").email_confirmed_at is not None
    response = log_in(client, "ada", PASSWORD)
    assert response.status_code == 302
    assert events.of_type("edx.bi.user.account.authenticated")


def test_confirmation_link_tampered_or_for_old_address_is_refused(app, client, mailbox):
    register(client)
    path = link_in(mailbox[0])
    assert client.get(path[:-2] + "xx").status_code == 400
    with app.extensions["kampus"].db.session_scope() as db_session:
        db_session.scalar(sa.select(User).where(User.username == "ada")).email = "other@example.com"
    response = client.get(path)
    assert response.status_code == 400
    assert "/confirm/resend" in response.get_data(as_text=True)


def test_resend_confirmation_does_not_reveal_accounts(client, mailbox, user):
    register(client)
    answers = []
    for email in ("ada@example.com", "nobody@example.com", user.email):
        response = client.post("/confirm/resend", data={"email": email})
        assert response.status_code == 200
        # The CSRF token is signed with the time: pages a second apart differ there and only there.
        page = response.get_data(as_text=True)
        answers.append(re.sub(r'(name="csrf[_-]token"[^>]*(?:content|value)=")[^"]*', r"\1", page))
    assert answers[0] == answers[1] == answers[2]
    # Only the unconfirmed account got a new link (one at registration, one now).
    assert [message["To"] for message in mailbox] == ["ada@example.com", "ada@example.com"]


def test_registration_errors(client, user):
    response = register(client, username=user.username, email="new@example.com")
    assert response.status_code == 400 and "This user name is taken." in response.get_data(as_text=True)
    response = register(client, username="bob", email="bob@example.com", password="short")
    assert response.status_code == 400 and "at least 8" in response.get_data(as_text=True)


@pytest.mark.parametrize("kampus_settings", [{"registration_open": False}])
def test_registration_closed_is_403(client):
    assert client.get("/register").status_code == 403
    assert register(client).status_code == 403


@pytest.mark.parametrize("kampus_settings", [{"require_email_confirmation": False}])
def test_without_confirmation_registration_logs_in(client, mailbox):
    response = register(client)
    assert response.status_code == 302
    assert mailbox == []
    assert client.get("/api/user/v1/me").get_json() == {"username": "ada"}
