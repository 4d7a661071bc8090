"""What the ``web`` area adds to the app; :mod:`kampus_forums.plugin` gathers every area's lists."""

from __future__ import annotations

from typing import Any

from kampus_hookspecs import Setting

from kampus_forums.web.views import bp


def blueprints() -> list[Any]:
    return [bp]


def permissions() -> dict[str, list[str]]:
    return {}


def settings() -> list[Setting]:
    return [
        Setting("forums_preview_rate_limit", int, 60,
                "Markdown previews a user may ask for within forums_preview_rate_window seconds (bursts up to this "
                "many); more get 429. 0: no limit."),
        Setting("forums_preview_rate_window", int, 60, "Window of forums_preview_rate_limit, in seconds."),
    ]


def tasks() -> list[Any]:
    return []
