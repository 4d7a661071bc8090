"""``kampus_account_confirmed``: called once, after the commit, when an address gets confirmed (the
confirmation link, or a password reset link, which proves the address too)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from kampus_hookspecs import hookimpl

from kampus.identity import links
from kampus.identity.models import User
from kampus.testing import TEST_PASSWORD


class ConfirmationWatcher:
    """Records each call, and whether the confirmation was already committed (seen from another session)."""

    def __init__(self) -> None:
        self.app: Any = None
        self.calls: list[tuple[int, str, str, bool]] = []

    @hookimpl
    def kampus_app_ready(self, app: Any) -> None:
        self.app = app

    @hookimpl
    def kampus_account_confirmed(self, user_id: int, username: str, email: str) -> None:
        with self.app.extensions["kampus"].db.session_scope() as other:
            confirmed = other.scalar(sa.select(User.email_confirmed_at).where(User.id == user_id)) is not None
        self.calls.append((user_id, username, email, confirmed))


@pytest.fixture
def watcher() -> ConfirmationWatcher:
    return ConfirmationWatcher()


@pytest.fixture
def app(make_app, watcher):
    return make_app(plugins=[watcher])


def _register(app, client) -> User:
    response = client.post("/register", data={"username": "ada", "email": "ada@example.com", "name": "Ada",
                                              "password": TEST_PASSWORD})
    assert response.status_code == 200, response.text
    with app.extensions["kampus"].db.session_scope() as db_session:
        user = db_session.scalar(sa.select(User).where(User.username == "ada"))
        db_session.expunge(user)
    return user


def test_the_confirmation_link_announces_the_confirmed_address_once(app, client, watcher) -> None:
    user = _register(app, client)
    assert watcher.calls == []  # registering confirms nothing
    with app.test_request_context():
        token = links.confirmation_token(user)
    assert client.get(f"/confirm/{token}").status_code == 302
    assert watcher.calls == [(user.id, "ada", "ada@example.com", True)]
    client.get(f"/confirm/{token}")  # a second click: already confirmed
    assert len(watcher.calls) == 1


def test_a_password_reset_link_confirms_and_announces_the_address(app, client, watcher, mailbox) -> None:
    user = _register(app, client)
    client.post("/password/reset", data={"email": "ada@example.com"})
    link = re.search(r"/password/reset/[^\s\"<]+", str(mailbox[-1]))
    assert link is not None, mailbox[-1]
    response = client.post(link.group(0), data={"password": TEST_PASSWORD + "x",
                                                "password_again": TEST_PASSWORD + "x"})
    assert response.status_code == 302, response.text
    assert watcher.calls == [(user.id, "ada", "ada@example.com", True)]
