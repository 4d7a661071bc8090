"""What the `outline` area adds to the app; :mod:`kampus_studio.plugin` gathers every area's lists."""

from __future__ import annotations

from typing import Any

from kampus_hookspecs import Setting

from kampus_studio.navigation import MenuEntry, lazy_gettext
from kampus_studio.outline import rest, views


def blueprints() -> list[Any]:
    return [views.bp, rest.bp]


def permissions() -> dict[str, list[str]]:
    return {}


def settings() -> list[Setting]:
    return []


def tasks() -> list[Any]:
    return []


def menu() -> list[MenuEntry]:
    """Entries of Studio's course menu (see :mod:`kampus_studio.navigation`)."""
    return [MenuEntry("outline", lazy_gettext("Outline"), "studio_outline.outline_page", order=10)]
