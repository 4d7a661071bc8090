"""Database: one declarative base, one engine per app, a session per app context.

Models of every plugin derive from :class:`Base`. Code that runs in a request
or a task uses :func:`session` (closed when the app context ends); code
outside an app context uses ``Database.session_scope()``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app, g
from sqlalchemy.dialects.mysql import DATETIME as MYSQL_DATETIME
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every Kampus model (kernel and plugins)."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


#: What PostgreSQL (SQLSTATE) and MariaDB (error number) say when they end a transaction to break a deadlock.
_DEADLOCK_SQLSTATE = "40P01"
_DEADLOCK_MYSQL = 1213


def is_deadlock(error: BaseException) -> bool:
    """Whether ``error`` (a SQLAlchemy ``OperationalError``) is the database ending a transaction to break a
    deadlock, which running the transaction again resolves (not a lock wait timeout nor a locked SQLite file,
    which would only wait again)."""
    orig = getattr(error, "orig", None)
    if orig is None:
        return False
    if getattr(orig, "sqlstate", None) == _DEADLOCK_SQLSTATE:
        return True
    args = getattr(orig, "args", ())
    return bool(args) and args[0] == _DEADLOCK_MYSQL


def contains_text(column: Any, text: str) -> Any:
    """A condition: ``column`` contains ``text``, ignoring case, with ``%``, ``_`` and ``\\`` in ``text``
    taken literally (a search box's filter; the same on SQLite, PostgreSQL and MariaDB)."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return sa.func.lower(column).like(f"%{escaped}%", escape="\\")


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite and MySQL keep no zone; this type normalises on the way in and out.
    """

    impl = sa.DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "mysql":
            return dialect.type_descriptor(MYSQL_DATETIME(fsp=6))
        return dialect.type_descriptor(sa.DateTime())

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_begin_before_savepoint(connection: Any, _name: str) -> None:
    """Open the transaction that a SAVEPOINT belongs in.

    pysqlite begins a transaction only before a data-changing statement, not before a SAVEPOINT;
    a savepoint outside a transaction *is* the transaction, and releasing it (the end of a
    ``begin_nested()`` block) would commit on its own, outside the caller's transaction, and
    survive its rollback. Reads stay outside transactions as pysqlite does them (an explicit
    BEGIN before every read would make read-then-write requests fail with "database is locked"
    when another process wrote in between).
    """
    if not connection.connection.driver_connection.in_transaction:
        connection.exec_driver_sql("BEGIN")


class Database:
    """The engine and session factory of one app."""

    def __init__(self, url: str, *, echo: bool = False):
        self.url = sa.make_url(url)
        kwargs: dict[str, Any] = {"echo": echo, "future": True}
        if self.url.get_backend_name() == "sqlite":
            kwargs["connect_args"] = {"timeout": 10, "check_same_thread": False}
        else:
            kwargs["pool_pre_ping"] = True
            kwargs["pool_recycle"] = 3600
        self.engine = sa.create_engine(self.url, **kwargs)
        if self.url.get_backend_name() == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            sa.event.listen(self.engine, "savepoint", _sqlite_begin_before_savepoint)
        self.sessionmaker = sessionmaker(bind=self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        """``sqlite``, ``postgresql`` or ``mysql`` (MariaDB included)."""
        return self.engine.dialect.name

    @contextlib.contextmanager
    def session_scope(self) -> Iterator[Session]:
        """A session committed at the end of the block, rolled back on error."""
        db_session = self.sessionmaker()
        try:
            yield db_session
            db_session.commit()
        except BaseException:
            db_session.rollback()
            raise
        finally:
            db_session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def session() -> Session:
    """The session of the current app context (a request or a task run)."""
    db_session = g.get("_kampus_db_session")
    if db_session is None:
        db_session = current_app.extensions["kampus"].db.sessionmaker()
        g._kampus_db_session = db_session
    return db_session


def close_session(_exc: BaseException | None = None) -> None:
    """Roll back what was not committed and close the context's session."""
    db_session = g.pop("_kampus_db_session", None)
    if db_session is not None:
        db_session.rollback()
        db_session.close()
