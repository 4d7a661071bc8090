"""What the `unit` area adds to the app; :mod:`kampus_studio.plugin` gathers every area's lists."""

from __future__ import annotations

from typing import Any

from kampus_hookspecs import Setting

from kampus_studio.navigation import MenuEntry
from kampus_studio.unit.rest import bp as rest_bp
from kampus_studio.unit.views import bp as pages_bp


def blueprints() -> list[Any]:
    """The unit editor's pages and its REST API."""

    return [pages_bp, rest_bp]


def permissions() -> dict[str, list[str]]:
    return {}


def settings() -> list[Setting]:
    return []


def tasks() -> list[Any]:
    return []


def menu() -> list[MenuEntry]:
    """Entries of Studio's course menu (see :mod:`kampus_studio.navigation`): a unit is reached from the outline."""
    return []
