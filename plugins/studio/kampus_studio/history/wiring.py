"""What the `history` area adds to the app; :mod:`kampus_studio.plugin` gathers every area's lists."""

from __future__ import annotations

from typing import Any

from kampus_hookspecs import Setting

from kampus_studio.history.rest import bp as rest_bp
from kampus_studio.history.views import bp as pages_bp
from kampus_studio.navigation import MenuEntry, lazy_gettext


def blueprints() -> list[Any]:

    return [pages_bp, rest_bp]


def permissions() -> dict[str, list[str]]:
    return {}


def settings() -> list[Setting]:
    return []


def tasks() -> list[Any]:
    return []


def menu() -> list[MenuEntry]:
    """Entries of Studio's course menu (see :mod:`kampus_studio.navigation`)."""
    return [MenuEntry("history", lazy_gettext("History"), "studio_history.history_page", order=90)]
