"""``kampus.db.is_deadlock``: which database errors a transaction may be run again after."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy.exc import OperationalError

from kampus.db import is_deadlock


def wrapped(orig: object) -> OperationalError:
    return OperationalError("UPDATE ...", {}, orig)  # type: ignore[arg-type]


def test_deadlocks_of_postgresql_and_mariadb_are_recognised():
    assert is_deadlock(wrapped(SimpleNamespace(sqlstate="40P01", args=("deadlock detected",))))  # psycopg
    assert is_deadlock(wrapped(Exception(1213, "Deadlock found when trying to get lock")))  # PyMySQL


def test_other_operational_errors_are_not():
    assert not is_deadlock(wrapped(Exception(1205, "Lock wait timeout exceeded")))
    assert not is_deadlock(wrapped(SimpleNamespace(sqlstate="55P03", args=("lock not available",))))
    assert not is_deadlock(wrapped(Exception("database is locked")))  # SQLite: waiting again would not help
    assert not is_deadlock(ValueError("not a database error"))
