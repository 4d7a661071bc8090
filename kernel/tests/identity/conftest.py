"""Helpers of the identity tests."""

from __future__ import annotations

import re
from typing import Any

import pytest

from kampus.testing import TEST_PASSWORD, make_user

LINK_RE = re.compile(r"http://localhost(/\S+)")


def mail_text(message: Any) -> str:
    return message.get_body(("plain",)).get_content()


def link_in(message: Any) -> str:
    """The site-relative path of the first link of an e-mail."""
    match = LINK_RE.search(mail_text(message))
    assert match, mail_text(message)
    return match.group(1)


def log_in(client: Any, username: str, password: str = TEST_PASSWORD, **data: str) -> Any:
    return client.post("/login", data={"username": username, "password": password, **data})


@pytest.fixture
def user(app):
    """A confirmed plain user whose password is :data:`TEST_PASSWORD`."""
    return make_user(app, "user")


def update_user(app: Any, user: Any, **values: Any) -> None:
    """Change stored fields of ``user``."""
    from kampus.identity.models import User

    with app.extensions["kampus"].db.session_scope() as db_session:
        stored = db_session.get(User, user.id)
        for name, value in values.items():
            setattr(stored, name, value)
