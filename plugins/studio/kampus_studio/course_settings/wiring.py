"""What the `course_settings` area adds to the app; :mod:`kampus_studio.plugin` gathers every area's lists."""

from __future__ import annotations

from typing import Any

from kampus_hookspecs import Setting

from kampus_studio.course_settings import rest, views
from kampus_studio.navigation import MenuEntry, lazy_gettext


def blueprints() -> list[Any]:
    """The settings pages and their REST API."""
    return [views.bp, rest.bp]


def permissions() -> dict[str, list[str]]:
    return {}


def settings() -> list[Setting]:
    return []


def tasks() -> list[Any]:
    return []


def menu() -> list[MenuEntry]:
    """Entries of Studio's course menu (see :mod:`kampus_studio.navigation`)."""
    return [MenuEntry("settings", lazy_gettext("Settings"), "studio_settings.details_page", order=40)]
