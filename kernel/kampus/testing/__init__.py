"""``kampus.testing``: build apps, log in as a role, record events and hook calls.

This is the harness for plugin authors. The pytest plugin
(:mod:`kampus.testing.pytest_plugin`, loaded automatically once Kampus is
installed) turns these helpers into fixtures: ``make_app``, ``app``, ``client``,
``client_as``, ``events``, ``hook_calls``, ``mailbox``; :func:`recording_statements`
counts the SQL an app runs (batch reads held to a fixed number of queries). A test of a plugin
reads::

    def test_hello_page(make_app):
        app = make_app(plugins=["example"], settings={"example_greeting": "Hi"})
        client = client_as(app, "learner")
        assert "Hi" in client.get("/hello").get_data(as_text=True)
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from kampus_hookspecs import hookimpl

from kampus.app import Kampus, create_app
from kampus.identity import accounts
from kampus.identity.permissions import grant_role
from kampus.identity.roles import COURSE_ROLES

#: Roles a test client can log in as: the course roles plus global ones.
ROLES = (*COURSE_ROLES, "global_staff", "superuser", "user")
DEFAULT_COURSE = "course-v1:KampusX+Test101+2026"
TEST_PASSWORD = "correct horse battery staple"


class EventRecorder:
    """A plugin that keeps every emitted event, in order."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    @hookimpl
    def kampus_event_emitted(self, event: dict[str, Any]) -> None:
        self.events.append(event)

    def of_type(self, event_type: str) -> list[dict[str, Any]]:
        return [event for event in self.events if event["event_type"] == event_type]

    def types(self) -> list[str]:
        return [event["event_type"] for event in self.events]

    def clear(self) -> None:
        self.events.clear()


class HookCallRecorder:
    """Records hook calls of one app: ``(hook name, keyword arguments)`` pairs."""

    def __init__(self, kampus: Kampus):
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._undo = kampus.pm.add_hookcall_monitoring(self._before, self._after)

    def _before(self, hook_name: str, _impls: Any, kwargs: dict[str, Any]) -> None:
        self.calls.append((hook_name, dict(kwargs)))

    def _after(self, *_args: Any) -> None:
        pass

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def of(self, hook_name: str) -> list[dict[str, Any]]:
        return [kwargs for name, kwargs in self.calls if name == hook_name]

    def stop(self) -> None:
        self._undo()


class KampusClient(FlaskClient):
    """A test client that sends the CSRF token with every state-changing request,
    unless ``csrf=False`` is passed."""

    def open(self, *args: Any, csrf: bool = True, **kwargs: Any) -> Any:
        method = (kwargs.get("method") or "GET").upper()
        if csrf and method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", self.csrf_token())
            kwargs["headers"] = headers
        return super().open(*args, **kwargs)

    def csrf_token(self) -> str:
        """A valid CSRF token for this client's session (as Flask-WTF makes them)."""
        with self.session_transaction() as sess:
            raw = sess.get("csrf_token")
            if raw is None:
                raw = secrets.token_hex(20)
                sess["csrf_token"] = raw
        serializer = URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token")
        return serializer.dumps(raw)


def harness_settings(home: Path, **overrides: Any) -> dict[str, Any]:
    """Raw settings for a test app in ``home``: eager Celery, memory mailer."""
    settings: dict[str, Any] = {
        "home": str(home),
        "secret_key": "kampus-test-" + secrets.token_hex(8),
        "mailer": "memory",
        "celery_always_eager": True,
        "celery_broker_url": "memory://",
        "celery_queue": f"kampus-test-{uuid.uuid4().hex[:8]}",
        "base_url": "http://localhost",
    }
    settings.update(overrides)
    return settings


def build_app(home: Path, plugins: list[Any] | None = None, settings: dict[str, Any] | None = None) -> Flask:
    """A Kampus app for tests, with an event recorder (``app.kampus_events``)."""
    recorder = EventRecorder()
    home.mkdir(parents=True, exist_ok=True)
    app = create_app(harness_settings(home, **(settings or {})), plugins=[*(plugins or []), recorder])
    app.config["TESTING"] = True
    app.test_client_class = KampusClient
    app.kampus_events = recorder  # type: ignore[attr-defined]
    return app


@cache
def hashed_test_password() -> str:
    """An argon2id hash of :data:`TEST_PASSWORD` with the cheapest parameters, made once per process: the
    site's own cost (about 50 ms a hash) made each test's users the slowest part of many tests. Logging in
    with it works (argon2 reads the parameters from the hash) and upgrades it, as for any old hash."""
    return str(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(TEST_PASSWORD))


def make_user(app: Flask, role: str = "user", course_id: str = DEFAULT_COURSE, **fields: Any) -> Any:
    """Create a confirmed user holding ``role`` (see :data:`ROLES`); returns it."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    kampus: Kampus = app.extensions["kampus"]
    suffix = uuid.uuid4().hex[:6]
    username = fields.pop("username", f"{role}_{suffix}")
    email = fields.pop("email", f"{username}@example.com")
    password = fields.pop("password", TEST_PASSWORD)
    with kampus.db.session_scope() as db_session:
        usual = password == TEST_PASSWORD
        user = accounts.create_user(
            db_session, username, email, None if usual else password,
            is_staff=role == "global_staff", is_superuser=role == "superuser", confirmed=True, **fields,
        )
        if usual:
            user.password_hash = hashed_test_password()
        if role in COURSE_ROLES:
            grant_role(db_session, user, role, course_id)
    return user


def login(client: FlaskClient, user: Any) -> FlaskClient:
    """Log ``client`` in as ``user`` (through the session cookie)."""
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True
        sess["_sid"] = secrets.token_hex(16)
    client.user = user  # type: ignore[attr-defined]
    return client


def client_as(app: Flask, role: str = "user", course_id: str = DEFAULT_COURSE, **fields: Any) -> KampusClient:
    """A test client logged in as a new user holding ``role``; ``client.user`` is the user."""
    client = app.test_client()
    if role == "anonymous":
        client.user = None  # type: ignore[attr-defined]
        return client  # type: ignore[return-value]
    return login(client, make_user(app, role, course_id, **fields))  # type: ignore[return-value]


def add_translations(app: Flask, folder: Path, locale: str, messages: dict[str, str]) -> None:
    """Give ``app`` a catalogue of ``messages`` (English -> ``locale``) written with Babel into ``folder``, for a
    test that checks a string is translated where Kampus ships no catalogue of it yet."""
    catalog = Catalog(locale=locale)
    for english, translated in messages.items():
        catalog.add(english, translated, flags=["python-format"] if "%(" in english else [])
    target = folder / locale / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    with open(target / "messages.mo", "wb") as mo:
        write_mo(mo, catalog)
    app.extensions["babel"].translation_directories.append(str(folder))


@contextmanager
def recording_hook_calls(app: Flask) -> Iterator[HookCallRecorder]:
    """Record the hook calls of ``app`` inside the block."""
    recorder = HookCallRecorder(app.extensions["kampus"])
    try:
        yield recorder
    finally:
        recorder.stop()


__all__ = [
    "COURSE_ROLES",
    "DEFAULT_COURSE",
    "ROLES",
    "TEST_PASSWORD",
    "EventRecorder",
    "HookCallRecorder",
    "KampusClient",
    "add_translations",
    "build_app",
    "client_as",
    "login",
    "make_user",
    "recording_hook_calls",
    "harness_settings",
]


#: Statements that only open, close or mark a transaction: not counted as queries.
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


_PARENTHESIZED = re.compile(r"\([^()]*\)")


class StatementRecorder:
    """The SQL statements an app's engine runs while recording (transaction control left out).

    ``queries`` are the statements; :meth:`touching` those that name a table, :meth:`writes` the
    INSERT/UPDATE/DELETE ones. Used to hold batch reads to a fixed number of queries.
    """

    def __init__(self) -> None:
        self.queries: list[str] = []

    def record(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            self.queries.append(statement)

    @property
    def count(self) -> int:
        return len(self.queries)

    def touching(self, table: str) -> list[str]:
        return [statement for statement in self.queries if table in statement]

    def tables(self) -> list[str]:
        """The table each statement reads or writes first (after ``FROM``, ``INTO`` or ``UPDATE``, subqueries
        left out), in order: what a test pinning a page's queries compares, one name a statement."""
        found = []
        for statement in self.queries:
            outer = statement
            while _PARENTHESIZED.search(outer):
                outer = _PARENTHESIZED.sub("", outer)
            match = re.search(r"\b(?:FROM|INTO|UPDATE)\s+[\"`]?(\w+)", outer)
            found.append(match.group(1) if match else " ".join(statement.split())[:40])
        return found

    def writes(self, table: str | None = None) -> list[str]:
        return [statement for statement in self.queries
                if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
                and (table is None or table in statement)]


@contextmanager
def recording_statements(app: Flask) -> Iterator[StatementRecorder]:
    """Record the SQL statements ``app`` runs inside the ``with`` block."""
    engine = app.extensions["kampus"].db.engine
    recorder = StatementRecorder()
    sa.event.listen(engine, "before_cursor_execute", recorder.record)
    try:
        yield recorder
    finally:
        sa.event.remove(engine, "before_cursor_execute", recorder.record)
