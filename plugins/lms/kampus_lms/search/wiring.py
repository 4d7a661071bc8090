"""The search area's settings (``kampus_settings``)."""

from __future__ import annotations

from kampus_hookspecs import Setting


def search_settings() -> list[Setting]:
    """Settings of the search area."""
    return [
        Setting("lms_search_hide_invitation_only", bool, True,
                "Leave invitation-only courses out of course search and discovery (global staff still see them)."),
    ]
