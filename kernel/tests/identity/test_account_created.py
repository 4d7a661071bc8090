"""``kampus_account_created``: called once, after the commit, by every way of making an account."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from kampus_hookspecs import hookimpl

from kampus import cli
from kampus.identity.models import User
from kampus.testing import TEST_PASSWORD


class AccountWatcher:
    """Records each call, and whether the account was already committed (seen from another session)."""

    def __init__(self) -> None:
        self.app: Any = None
        self.calls: list[tuple[int, str, str, bool]] = []

    @hookimpl
    def kampus_app_ready(self, app: Any) -> None:
        self.app = app

    @hookimpl
    def kampus_account_created(self, user_id: int, username: str, email: str) -> None:
        with self.app.extensions["kampus"].db.session_scope() as other:
            committed = other.scalar(sa.select(User.id).where(User.id == user_id)) is not None
        self.calls.append((user_id, username, email, committed))


@pytest.fixture
def watcher() -> AccountWatcher:
    return AccountWatcher()


@pytest.fixture
def app(make_app, watcher):
    return make_app(plugins=[watcher])


def user_id(app: Any, username: str) -> int:
    with app.extensions["kampus"].db.session_scope() as db_session:
        return db_session.scalar(sa.select(User.id).where(User.username == username))


def test_the_registration_page_announces_the_committed_account(app, client, watcher) -> None:
    response = client.post("/register", data={"username": "ada", "email": "ada@example.com", "name": "Ada",
                                              "password": TEST_PASSWORD})
    assert response.status_code in (200, 302), response.text
    assert watcher.calls == [(user_id(app, "ada"), "ada", "ada@example.com", True)]


def test_the_registration_api_announces_it_and_a_refusal_does_not(app, client, watcher) -> None:
    response = client.post("/user_api/v1/account/registration/",
                           data={"username": "bob", "email": "bob@example.com", "name": "Bob",
                                 "password": TEST_PASSWORD})
    assert response.status_code == 200, response.text
    again = client.post("/user_api/v1/account/registration/",
                        data={"username": "bob", "email": "bob@example.com", "name": "Bob",
                              "password": TEST_PASSWORD})
    assert again.status_code == 409
    assert watcher.calls == [(user_id(app, "bob"), "bob", "bob@example.com", True)]


def test_create_user_command_announces_it(app, watcher, monkeypatch) -> None:
    monkeypatch.setattr(cli, "load_app", lambda: app)
    result = CliRunner().invoke(cli.main, ["create-user", "cara", "cara@example.com", "--password", TEST_PASSWORD])
    assert result.exit_code == 0, result.output
    assert watcher.calls == [(user_id(app, "cara"), "cara", "cara@example.com", True)]


def test_demo_accounts_are_announced(app, watcher) -> None:
    with app.app_context():
        cli.create_demo(app)
    assert [(username, committed) for _id, username, _email, committed in watcher.calls] == [
        ("learner", True), ("instructor", True), ("staff", True)]


def test_init_announces_the_admin(app, watcher, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("KAMPUS_HOME", str(tmp_path / "site"))
    monkeypatch.setattr(cli, "load_app", lambda: app)
    result = CliRunner().invoke(cli.main, ["init", "--plugins", "", "--admin-username", "root",
                                           "--admin-email", "root@example.com"])
    assert result.exit_code == 0, result.output
    assert watcher.calls == [(user_id(app, "root"), "root", "root@example.com", True)]
