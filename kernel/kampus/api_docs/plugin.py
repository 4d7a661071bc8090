"""Wiring of the API document: its settings and pages."""

from __future__ import annotations

from typing import Any

from kampus_hookspecs import Setting, hookimpl

from kampus.api_docs import views


@hookimpl
def kampus_settings() -> list[Setting]:
    return [
        Setting("api_validate_responses", bool, False,
                "Check every documented API answer against its schema (a mismatch becomes a 500). "
                "For tests and development; it costs time on every call."),
    ]


@hookimpl
def kampus_blueprints(app: Any) -> list[Any]:
    return [views.bp]
