"""Wiring of the database: its settings and the kernel's migrations."""

from __future__ import annotations

from pathlib import Path

from kampus_hookspecs import Setting, hookimpl


@hookimpl
def kampus_settings() -> list[Setting]:
    return [
        Setting(
            "database_url",
            str,
            "sqlite:///{home}/kampus.sqlite",
            "SQLAlchemy URL of the database: sqlite:///path, postgresql+psycopg://user@host/db, "
            "mysql+pymysql://user@host/db (MariaDB).",
            secret=True,
        ),
        Setting("database_echo", bool, False, "Log every SQL statement."),
    ]


@hookimpl
def kampus_migration_locations() -> list[str]:
    return [str(Path(__file__).parent / "versions")]
