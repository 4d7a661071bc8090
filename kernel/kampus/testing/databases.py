"""Temporary databases for tests: a fresh, migrated database for every test.

SQLite (the default): the schema is migrated once per session and plugin set
into a template file, which each test copies. PostgreSQL or MariaDB (when
``KAMPUS_TEST_DB_URL`` is set): one database per pytest-xdist worker and plugin
set, migrated once, emptied before each test. Its name carries a random part,
so that concurrent test runs on one server do not drop each other's databases,
and it is dropped when the test process ends.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import secrets
import shutil
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from kampus.db import Base, Database
from kampus.db.migrate import alembic_config, upgrade
from kampus.plugins import flatten

if TYPE_CHECKING:
    from kampus.app import Kampus

_lock = threading.Lock()


def server_url_from_env() -> str | None:
    """``KAMPUS_TEST_DB_URL``, when tests should use a database server."""
    return os.environ.get("KAMPUS_TEST_DB_URL") or None


def _fingerprint(kampus: Kampus) -> str:
    locations = sorted(flatten(kampus.hook.kampus_migration_locations()))
    return hashlib.sha1("\n".join(locations).encode()).hexdigest()[:10]


class TestDatabases:
    """Hands out migrated, empty databases to tests."""

    def __init__(self, root: Path, server_url: str | None = None, worker: str = "main"):
        self.root = root
        self.server_url = server_url
        self.worker = worker.replace("-", "_")
        self.run_id = secrets.token_hex(3)
        self._ready: dict[str, str] = {}
        self._created: list[str] = []

    @property
    def backend(self) -> str:
        return sa.make_url(self.server_url).get_backend_name() if self.server_url else "sqlite"

    def attach(self, kampus: Kampus, test_dir: Path, slot: int = 0) -> Database:
        """Give ``kampus`` a fresh migrated database for one test; returns it.

        ``slot`` numbers the apps of one test: each gets a database of its own,
        so two apps in one test never share data (as with SQLite files).
        """
        kampus.db.dispose()
        if self.server_url is None:
            target = test_dir / "kampus.sqlite"
            shutil.copyfile(self._sqlite_template(kampus), target)
            db = Database(f"sqlite:///{target}")
        else:
            db = Database(self._server_database(kampus, slot))
            empty_database(db)
        kampus.db = db
        return db

    def _sqlite_template(self, kampus: Kampus) -> Path:
        key = _fingerprint(kampus)
        with _lock:
            if key not in self._ready:
                path = self.root / f"template-{key}.sqlite"
                if path.exists():
                    path.unlink()
                db = Database(f"sqlite:///{path}")
                upgrade(db, kampus.pm)
                with db.engine.connect() as connection:
                    connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                db.dispose()
                self._ready[key] = str(path)
            return Path(self._ready[key])

    def _server_database(self, kampus: Kampus, slot: int = 0) -> str:
        key = f"{_fingerprint(kampus)}{slot or ''}"
        with _lock:
            if key not in self._ready:
                url = sa.make_url(self.server_url)
                name = f"{url.database or 'kampus'}_t_{self.worker}_{self.run_id}_{key}"[:63]
                admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
                with admin.connect() as connection:
                    quoted = connection.dialect.identifier_preparer.quote(name)
                    if url.get_backend_name() == "postgresql":
                        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
                        connection.exec_driver_sql(f"CREATE DATABASE {quoted}")
                    else:
                        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {quoted}")
                        connection.exec_driver_sql(
                            f"CREATE DATABASE {quoted} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
                        )
                admin.dispose()
                if not self._created:
                    atexit.register(self.drop_all)
                self._created.append(name)
                test_url = url.set(database=name).render_as_string(hide_password=False)
                db = Database(test_url)
                upgrade(db, kampus.pm)
                db.dispose()
                self._ready[key] = test_url
            return self._ready[key]

    def drop_all(self) -> None:
        """Drop the server databases this object created (called at exit)."""
        if not self._created or self.server_url is None:
            return
        url = sa.make_url(self.server_url)
        admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                for name in self._created:
                    quoted = connection.dialect.identifier_preparer.quote(name)
                    force = " WITH (FORCE)" if url.get_backend_name() == "postgresql" else ""
                    connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {quoted}{force}")
        except sa.exc.SQLAlchemyError:
            pass  # the server went away: nothing more to clean
        finally:
            admin.dispose()
        self._created.clear()
        self._ready.clear()


def empty_database(db: Database) -> None:
    """Delete every row of every table but Alembic's (the schema stays), and restart their id counters.

    Tables are found in the database itself, so that a plugin's tables are
    emptied even when its models were not imported yet in this process. Only
    the tables a test touched are cleared: those holding rows, and on a
    server those whose id counter moved. One query finds them (a test touches
    a few of the schema's tables, and clearing one costs a server a few
    milliseconds: clearing all of them took 150-200 ms a test).
    """
    with db.engine.begin() as connection:
        existing = set(sa.inspect(connection).get_table_names()) - {"alembic_version"}
        if not existing:
            return
        touched, sequences = _touched_tables(connection, db.dialect, existing)
        if not touched:
            return
        known = [table.name for table in reversed(Base.metadata.sorted_tables) if table.name in touched]
        names = known + sorted(touched - set(known))
        quote = connection.dialect.identifier_preparer.quote
        if db.dialect == "postgresql":
            _empty_postgresql(connection, names, sequences, ordered=len(known) == len(names))
        elif db.dialect == "mysql":
            connection.exec_driver_sql("SET FOREIGN_KEY_CHECKS=0")
            for name in names:
                connection.exec_driver_sql(f"TRUNCATE TABLE {quote(name)}")
            connection.exec_driver_sql("SET FOREIGN_KEY_CHECKS=1")
        else:
            for name in names:
                connection.exec_driver_sql(f"DELETE FROM {quote(name)}")


def _empty_postgresql(connection: sa.Connection, names: list[str], sequences: set[str], *, ordered: bool) -> None:
    """Rows deleted children first and the used sequences restarted: a TRUNCATE of one table cascades to every
    table that refers to it (most of them refer to users), and truncating costs PostgreSQL a new file each."""
    quote = connection.dialect.identifier_preparer.quote
    if ordered:
        savepoint = connection.begin_nested()
        try:
            for name in names:
                connection.exec_driver_sql(f"DELETE FROM {quote(name)}")
            for sequence in sorted(sequences):
                connection.exec_driver_sql(f"ALTER SEQUENCE {quote(sequence)} RESTART")
            savepoint.commit()
            return
        except sa.exc.DBAPIError:
            savepoint.rollback()  # an order the models do not know (a foreign key outside them): truncate
    connection.exec_driver_sql("TRUNCATE " + ", ".join(map(quote, names)) + " RESTART IDENTITY CASCADE")


def _touched_tables(connection: sa.Connection, dialect: str, tables: set[str]) -> tuple[set[str], set[str]]:
    """The tables among ``tables`` that hold a row or (PostgreSQL, MariaDB) whose id counter has moved, and
    (PostgreSQL) the sequences that moved."""
    quote = connection.dialect.identifier_preparer.quote
    probes = [
        f"SELECT '{_literal(name, dialect)}', '' WHERE EXISTS (SELECT 1 FROM {quote(name)})" for name in sorted(tables)
    ]
    if dialect == "postgresql":
        # a sequence read since its last restart has a last_value; its owner is the table it counts for
        probes.append(
            "SELECT t.relname, s.sequencename FROM pg_sequences s"
            " JOIN pg_namespace n ON n.nspname = s.schemaname"
            " JOIN pg_class sc ON sc.relname = s.sequencename AND sc.relnamespace = n.oid"
            " JOIN pg_depend d ON d.objid = sc.oid AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')"
            " JOIN pg_class t ON t.oid = d.refobjid AND d.refclassid = 'pg_class'::regclass"
            " WHERE s.schemaname = current_schema() AND s.last_value IS NOT NULL"
        )
    elif dialect == "mysql":
        probes.append(
            "SELECT table_name, '' FROM information_schema.tables"
            " WHERE table_schema = DATABASE() AND auto_increment > 1"
        )
    rows = connection.exec_driver_sql(" UNION ALL ".join(probes)).all()
    return {row[0] for row in rows} & tables, {row[1] for row in rows if row[1]}


def _literal(name: str, dialect: str) -> str:
    """``name`` inside a SQL string literal: quotes doubled, and backslashes on MariaDB (an escape there)."""
    if dialect == "mysql":
        name = name.replace("\\", "\\\\")
    return name.replace("'", "''")


__all__ = ["TestDatabases", "alembic_config", "empty_database", "server_url_from_env"]
