"""Wiring of identity: its settings, pages and permissions."""

from __future__ import annotations

from typing import Any

from kampus_hookspecs import Setting, hookimpl

# Importing the page modules adds their routes to the ``identity`` blueprint.
from kampus.identity import account_views, api, profile_image_views, staff_views, views  # noqa: F401
from kampus.identity.roles import BETA_TESTER, INSTRUCTOR, LEARNER, STAFF, TA


@hookimpl
def kampus_settings() -> list[Setting]:
    return [
        Setting("registration_open", bool, True, "Anyone may create an account at /register."),
        Setting(
            "require_email_confirmation", bool, True,
            "New accounts must confirm their e-mail address before they can log in.",
        ),
        Setting("login_failure_limit", int, 10, "Failed logins allowed per account and per address within the window."),
        Setting("login_failure_window", int, 60, "Length of the login throttling window, in seconds."),
        Setting("account_extended_profile_fields", list, [],
                "Extra account fields users may fill in (Open edX's extended_profile_fields)."),
        Setting("profile_image_max_bytes", int, 1024 * 1024,
                "Largest profile image file accepted, in bytes (Open edX's PROFILE_IMAGE_MAX_BYTES)."),
        Setting("profile_image_min_bytes", int, 100,
                "Smallest profile image file accepted, in bytes (Open edX's PROFILE_IMAGE_MIN_BYTES)."),
        Setting("profile_image_max_request_bytes", int, 8 * 1024 * 1024,
                "Largest request body of a profile image upload, in bytes (above: 413; up to it a file too "
                "big gets Open edX's message)."),
    ]


@hookimpl
def kampus_blueprints(app: Any) -> list[Any]:
    return [views.bp, api.bp]


@hookimpl
def kampus_permissions() -> dict[str, list[str]]:
    """The kernel's permissions; global staff hold every permission."""
    return {
        "site.manage_users": [],
        "course.view": [LEARNER, BETA_TESTER, TA, STAFF, INSTRUCTOR],
        "course.view_beta": [BETA_TESTER, TA, STAFF, INSTRUCTOR],
        "course.view_staff": [TA, STAFF, INSTRUCTOR],
        "course.edit_content": [STAFF, INSTRUCTOR],
        "course.manage_roles": [INSTRUCTOR],
    }
