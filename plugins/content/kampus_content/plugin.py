"""Wiring of the content plugin: settings and migrations."""

from __future__ import annotations

from pathlib import Path

from kampus_hookspecs import Setting, hookimpl

import kampus_content.store.sql  # noqa: F401  (its tables belong to this plugin's metadata)


@hookimpl
def kampus_settings() -> list[Setting]:
    return [
        Setting("content_store", str, "sql",
                "Driver of the course content store (entry points kampus.content_store): sql, mongo."),
    ]


@hookimpl
def kampus_migration_locations() -> list[str]:
    return [str(Path(__file__).parent / "migrations")]


@hookimpl
def kampus_cli_commands() -> list[object]:
    from kampus_content.olx.cli import export_course, import_course

    return [import_course, export_course]
