"""Login, throttling, logout, safe redirects, session cookies."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from kampus.db import utcnow
from kampus.identity.models import LoginFailure, User
from kampus.identity.views import safe_next
from kampus.testing import TEST_PASSWORD, make_user

from .conftest import log_in, update_user


def failures(app):
    with app.extensions["kampus"].db.session_scope() as db_session:
        return db_session.scalars(sa.select(LoginFailure)).all()


def add_failures(app, count, *, username="someone", ip="10.9.9.9", age=timedelta()):
    with app.extensions["kampus"].db.session_scope() as db_session:
        for _ in range(count):
            db_session.add(LoginFailure(username=username, ip=ip, at=utcnow() - age))


def test_login_by_username_or_email_and_events(client, user, events):
    response = log_in(client, user.username)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    [event] = events.of_type("edx.bi.user.account.authenticated")
    assert event["username"] == user.username
    client.post("/logout")
    assert events.of_type("edx.user.logout")[0]["username"] == user.username
    assert log_in(client, user.email.upper()).status_code == 302


def test_same_message_for_unknown_user_and_wrong_password(client, user):
    wrong = log_in(client, user.username, "not-the-password")
    unknown = log_in(client, "no-such-user", "not-the-password")
    assert wrong.status_code == unknown.status_code == 400

    def alert(response):
        page = response.get_data(as_text=True)
        return page[page.index('id="login-error"'):page.index("</div>", page.index('id="login-error"'))]

    assert alert(wrong) == alert(unknown)
    assert "The user name or password is wrong." in alert(wrong)


def test_inactive_user_cannot_log_in(app, client):
    user = make_user(app, "user")
    update_user(app, user, is_active=False)
    response = log_in(client, user.username)
    assert response.status_code == 400
    assert "The user name or password is wrong." in response.get_data(as_text=True)


def test_failures_of_unknown_accounts_store_no_typed_text(app, client):
    log_in(client, "typed-secret-text", "whatever-pw")
    [failure] = failures(app)
    assert "typed-secret-text" not in failure.username
    assert failure.ip == "127.0.0.1"


def test_successful_login_clears_failures_of_the_account(app, client, user):
    for _ in range(3):
        log_in(client, user.username, "wrong-password")
    add_failures(app, 2, username="other")
    assert log_in(client, user.username).status_code == 302
    assert [failure.username for failure in failures(app)] == ["other", "other"]


def test_old_failures_do_not_count(app, client, user):
    add_failures(app, 50, username=user.username, ip="127.0.0.1", age=timedelta(seconds=61))
    assert log_in(client, user.username).status_code == 302


def test_throttle_by_address_across_accounts(app, client, user):
    add_failures(app, 10, username="many-others", ip="10.1.1.1")
    response = client.post("/login", data={"username": user.username, "password": TEST_PASSWORD},
                           environ_base={"REMOTE_ADDR": "10.1.1.1"})
    assert response.status_code == 429
    # Another address may still log in to the account.
    assert log_in(client, user.username).status_code == 302


def test_throttle_by_account_across_addresses(app, client, user):
    add_failures(app, 10, username=user.username, ip="10.2.2.2")
    assert log_in(client, user.username).status_code == 429
    assert log_in(client, user.email).status_code == 429  # the e-mail address names the same account


@pytest.mark.parametrize("kampus_settings", [{"login_failure_limit": 3, "login_failure_window": 600}])
def test_limit_and_window_are_settings(app, client, user):
    add_failures(app, 3, username=user.username, age=timedelta(seconds=300))
    response = log_in(client, user.username)
    assert response.status_code == 429
    assert 290 <= int(response.headers["Retry-After"]) <= 300


@pytest.mark.parametrize("target", [
    "//evil.com", "https://evil.com", "/\\evil.com", "\\\\evil.com", "evil.com", "/\t/evil.com", "javascript:alert(1)",
    "http:/evil.com", "///evil.com",
])
def test_unsafe_next_is_ignored(client, user, target):
    assert safe_next(target) == "/"
    response = log_in(client, user.username, next=target)
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_safe_next_is_followed(client, user):
    response = log_in(client, user.username, next="/account?tab=tokens")
    assert response.headers["Location"] == "/account?tab=tokens"


def test_session_cookie_flags_and_fresh_session(client, user):
    client.get("/login")
    before = client.get_cookie("kampus_session")
    response = log_in(client, user.username)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("kampus_session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert before is None or client.get_cookie("kampus_session").value != before.value


@pytest.mark.parametrize("kampus_settings", [{"session_cookie_secure": True}])
def test_secure_cookie_setting(client, user):
    assert "Secure" in log_in(client, user.username).headers["Set-Cookie"]


def test_logout_is_post_only(client, user):
    log_in(client, user.username)
    assert client.get("/logout").status_code == 405
    assert client.get("/account").status_code == 200
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/account").status_code == 302


def test_rehash_of_old_hashes(app, client, user):
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(TEST_PASSWORD)
    with app.extensions["kampus"].db.session_scope() as db_session:
        db_session.get(User, user.id).password_hash = weak
    assert log_in(client, user.username).status_code == 302
    with app.extensions["kampus"].db.session_scope() as db_session:
        assert db_session.get(User, user.id).password_hash != weak
