"""Wiring of identity: its settings, pages and permissions."""

from __future__ import annotations

from typing import Any

from kampus_hookspecs import Setting, hookimpl


@hookimpl
def kampus_settings() -> list[Setting]:
    return [
        Setting("registration_open", bool, True, "Anyone may create an account at /register."),
        Setting("require_email_confirmation", bool, True, "New accounts must confirm their e-mail address before logging in."),
        Setting("login_failure_limit", int, 10, "Failed logins allowed per account and per address within the window."),
        Setting("login_failure_window", int, 60, "Length of the login throttling window, in seconds."),
    ]


@hookimpl
def kampus_blueprints(app: Any) -> list[Any]:
    from kampus.identity.views import bp

    return [bp]
