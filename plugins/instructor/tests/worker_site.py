"""A site with a real worker process, for the kill tests (reports, bulk e-mail): its own database and queue,
on SQLite with the embedded broker, or on PostgreSQL and RabbitMQ when the environment names them."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from kampus.app import create_app
from kampus.db.migrate import upgrade
from kampus.settings import read_raw_settings

PLUGINS = '["content", "problems", "lms", "instructor"]'

#: The two kinds of site a kill test runs on (``pytest.fixture(params=SITE_KINDS)``).
SITE_KINDS = ["sqlite-embedded", pytest.param(
    "postgresql-rabbitmq", marks=[pytest.mark.rabbitmq, pytest.mark.real_celery, pytest.mark.db_servers])]


def postgres_url() -> str:
    url = os.environ.get("KAMPUS_TEST_POSTGRES_URL") or ""
    if not url and os.environ.get("KAMPUS_TEST_DB_URL", "").startswith("postgresql"):
        url = os.environ["KAMPUS_TEST_DB_URL"]
    if not url:
        pytest.skip("no PostgreSQL: set KAMPUS_TEST_POSTGRES_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    return url


def broker_url() -> str:
    url = os.environ.get("KAMPUS_TEST_BROKER_URL", "")
    if not url.startswith(("amqp://", "amqps://", "pyamqp://")):
        pytest.skip("no RabbitMQ: set KAMPUS_TEST_BROKER_URL (e.g. amqp://guest:guest@127.0.0.1:5672//)")
    return url


@contextmanager
def worker_site(kind: str, tmp_path: Path, settings: list[str], prefix: str) -> Iterator[tuple[Any, dict, Path]]:
    """``(app, environ, home)``: a migrated site of ``kind`` with the instructor plugin and ``settings``
    (TOML lines); a PostgreSQL site gets its own database, dropped afterwards."""
    home = tmp_path / "site"
    home.mkdir()
    lines = [f"plugins = {PLUGINS}", f'secret_key = "{prefix}-test"', "task_recovery_interval_seconds = 2",
             f'celery_queue = "{prefix}-{secrets.token_hex(4)}"', *settings]
    server_db = None
    if kind == "postgresql-rabbitmq":
        server = sa.make_url(postgres_url())
        broker = broker_url()
        name = f"kampus_{prefix.replace('-', '')}_{secrets.token_hex(4)}"
        admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        server_db = (admin, name)
        database_url = server.set(database=name).render_as_string(hide_password=False)
        lines += [f'database_url = "{database_url}"', f'celery_broker_url = "{broker}"']
    (home / "kampus.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    environ = {k: v for k, v in os.environ.items() if not k.startswith("KAMPUS_")} | {"KAMPUS_HOME": str(home)}
    app = create_app(read_raw_settings(home, environ))
    kampus = app.extensions["kampus"]
    upgrade(kampus.db, kampus.pm)
    try:
        yield app, environ, home
    finally:
        kampus.db.dispose()
        if server_db is not None:
            admin, name = server_db
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def start_worker(environ: dict[str, str], home: Path, name: str) -> subprocess.Popen[bytes]:
    """A ``kampus worker`` process of the site (its own session: a test kills its whole group)."""
    log = open(home / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
    return subprocess.Popen([sys.executable, "-m", "kampus.cli", "worker", "--loglevel=INFO", "--concurrency=2"],
                            env=environ, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
