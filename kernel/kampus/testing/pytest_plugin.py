"""The Kampus pytest plugin: fixtures for testing plugins and the kernel.

Fixtures:

``make_app(plugins=[...], settings={...}, celery="eager" | "real")``
    A factory of apps, each with its own site folder and a fresh migrated
    database (SQLite; PostgreSQL or MariaDB when ``KAMPUS_TEST_DB_URL`` is set).
    ``celery="real"`` runs a real Celery worker in a thread for the test, on
    ``KAMPUS_TEST_BROKER_URL`` (RabbitMQ) when set, else kombu's in-memory
    transport.
``app``
    ``make_app()`` with the plugins of the ``kampus_plugins`` fixture (override
    it in your conftest) or of the ``@pytest.mark.kampus_plugins(...)`` marker.
``client``, ``client_as(role, course_id=...)``
    Test clients of ``app``, anonymous or logged in as a new user with a role.
``events``, ``hook_calls``, ``mailbox``
    Recorders of ``app``'s events, hook calls and sent e-mail.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from flask import Flask
from werkzeug.serving import make_server

from kampus.tasks.celery_app import AppBoundThreadPool, own_event_loop_for_next_worker, stop_promptly
from kampus.testing import (
    DEFAULT_COURSE,
    EventRecorder,
    HookCallRecorder,
    KampusClient,
    build_app,
)
from kampus.testing import client_as as _client_as
from kampus.testing.browser import chromium_browser, stop_playwright
from kampus.testing.databases import TestDatabases, server_url_from_env


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    stop_playwright()


@pytest.fixture
def served(app: Flask) -> Iterator[str]:
    """The ``app`` served on a free port of 127.0.0.1 by werkzeug in a thread, for a browser (stopped after
    the test): its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def kampus_browser() -> Iterator[Any]:
    """A headless Chromium for the test (see :mod:`kampus.testing.browser`); skipped when missing."""
    with chromium_browser() as browser:
        yield browser


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "kampus_plugins(*names): plugins enabled in the `app` fixture")


#: Words in a test module that say its tests reach a database server by themselves (not through the harness).
SERVER_WORDS = ("KAMPUS_TEST_DB_URL", "server_url_from_env")


#: Variables naming the servers that tests marked ``db_servers`` reach by themselves, in every pass.
OWN_SERVER_VARIABLES = ("KAMPUS_TEST_POSTGRES_URL", "KAMPUS_TEST_MARIADB_URL")


def _reaches_the_server(item: pytest.Item, sources: dict[Path, bool]) -> bool:
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "sqlite" in callspec.id.split("-"):
        return False  # a variant that runs on SQLite whatever the pass
    if item.get_closest_marker("db_servers") is not None and any(map(os.environ.get, OWN_SERVER_VARIABLES)):
        return False  # it reaches its server through its own variable, which the SQLite pass had too
    if "kampus_databases" in getattr(item, "fixturenames", ()):
        return True
    path = Path(str(item.fspath))
    if path not in sources:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            text = ""
        sources[path] = any(word in text for word in SERVER_WORDS)
    return sources[path]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With a database server (``KAMPUS_TEST_DB_URL``), run only the tests that can use it: those of the
    harness's databases (every app fixture) and those whose module reads the setting itself. The others
    (parsers, the sandbox, subprocess sites on SQLite files…) would run exactly as on SQLite, so running the
    suite once per server only repeats them. So would two more kinds, also left out: a parametrized test's
    SQLite variant (an id part ``sqlite``), and, when ``KAMPUS_TEST_POSTGRES_URL`` or
    ``KAMPUS_TEST_MARIADB_URL`` is set (as ``make test`` sets it for every pass), the tests marked
    ``db_servers``, which reach those servers through those variables. ``KAMPUS_TEST_DB_ALL=1`` keeps
    every test."""
    if server_url_from_env() is None or os.environ.get("KAMPUS_TEST_DB_ALL"):
        return
    sources: dict[Path, bool] = {}
    keep = [item for item in items if _reaches_the_server(item, sources)]
    if len(keep) < len(items):
        kept = set(map(id, keep))
        config.hook.pytest_deselected(items=[item for item in items if id(item) not in kept])
        items[:] = keep


def pytest_report_header(config: pytest.Config) -> str:
    url = server_url_from_env()
    broker = os.environ.get("KAMPUS_TEST_BROKER_URL") or "memory:// (in-process)"
    database = url.split("://", 1)[0] if url else "sqlite"
    return f"kampus: test database {database}; real-worker Celery broker {broker.split('@')[-1]}"


@pytest.fixture(scope="session")
def kampus_databases(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> TestDatabases:
    """The session's store of migrated test databases (one set per xdist worker)."""
    workerinput = getattr(request.config, "workerinput", None)
    worker = workerinput["workerid"] if workerinput else "main"
    return TestDatabases(tmp_path_factory.mktemp("kampus-db"), server_url_from_env(), worker)


@pytest.fixture
def make_app(tmp_path: Path, kampus_databases: TestDatabases) -> Iterator[Callable[..., Flask]]:
    """Factory of test apps; see the module's documentation."""
    workers: list[Any] = []
    apps: list[Flask] = []

    def factory(
        plugins: list[Any] | None = None, settings: dict[str, Any] | None = None, celery: str = "eager"
    ) -> Flask:
        settings = dict(settings or {})
        if celery == "real":
            settings.setdefault("celery_always_eager", False)
            settings.setdefault("celery_broker_url", os.environ.get("KAMPUS_TEST_BROKER_URL") or "memory://")
        elif celery != "eager":
            raise ValueError("celery must be 'eager' or 'real'")
        home = tmp_path / f"site{len(apps)}"
        app = build_app(home, plugins, settings)
        kampus = app.extensions["kampus"]
        kampus_databases.attach(kampus, home, slot=len(apps))
        apps.append(app)
        if celery == "real":
            workers.append(start_real_worker(kampus))
        return app

    yield factory
    for context in reversed(workers):
        context.__exit__(None, None, None)
    for app in apps:
        app.extensions["kampus"].db.dispose()


def start_real_worker(kampus: Any) -> Any:
    """Start a Celery worker thread consuming the app's queue; returns its context manager."""
    own_event_loop_for_next_worker()
    context = start_worker(
        kampus.celery,
        pool=AppBoundThreadPool,  # each worker runs its own app's tasks (Celery would use the default app)
        concurrency=2,
        perform_ping_check=False,
        loglevel="WARNING",
        shutdown_timeout=30,
        queues=[kampus.settings.celery_queue],
        # a node name of its own: two workers in one process must not fight over one pidbox queue
        hostname=f"kampus-test-{uuid.uuid4().hex[:10]}@localhost",
    )
    stop_promptly(context.__enter__())
    return context


@pytest.fixture
def kampus_plugins(request: pytest.FixtureRequest) -> list[Any]:
    """Plugins of the ``app`` fixture: the ``kampus_plugins`` marker's, else none."""
    marker = request.node.get_closest_marker("kampus_plugins")
    return list(marker.args) if marker else []


@pytest.fixture
def kampus_settings() -> dict[str, Any]:
    """Settings of the ``app`` fixture (override in a conftest)."""
    return {}


@pytest.fixture
def app(make_app: Callable[..., Flask], kampus_plugins: list[Any], kampus_settings: dict[str, Any]) -> Flask:
    """A test app with the ``kampus_plugins`` enabled."""
    return make_app(plugins=kampus_plugins, settings=kampus_settings)


@pytest.fixture
def client(app: Flask) -> KampusClient:
    """An anonymous test client of ``app``."""
    return app.test_client()  # type: ignore[return-value]


@pytest.fixture
def client_as(app: Flask) -> Callable[..., KampusClient]:
    """``client_as(role, course_id=...)``: a client of ``app`` logged in as a new user with ``role``."""

    def factory(role: str = "user", course_id: str = DEFAULT_COURSE, **fields: Any) -> KampusClient:
        return _client_as(app, role, course_id, **fields)

    return factory


@pytest.fixture
def events(app: Flask) -> EventRecorder:
    """Every event ``app`` emits during the test."""
    return app.kampus_events  # type: ignore[attr-defined]


@pytest.fixture
def hook_calls(app: Flask) -> Iterator[HookCallRecorder]:
    """Every hook call of ``app`` from now on."""
    recorder = HookCallRecorder(app.extensions["kampus"])
    yield recorder
    recorder.stop()


@pytest.fixture
def mailbox(app: Flask) -> list[Any]:
    """Messages ``app`` sent through its (memory) mailer."""
    return app.extensions["kampus"].mailer.outbox
