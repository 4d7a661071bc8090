"""What the `search` area adds to the app; :mod:`kampus_studio.plugin` gathers every area's lists."""

from __future__ import annotations

from typing import Any

from kampus_hookspecs import Setting

from kampus_studio.navigation import MenuEntry, lazy_gettext
from kampus_studio.search.rest import bp as rest_bp
from kampus_studio.search.tasks import TASKS
from kampus_studio.search.views import bp as pages_bp


def blueprints() -> list[Any]:
    return [pages_bp, rest_bp]


def permissions() -> dict[str, list[str]]:
    return {}


def settings() -> list[Setting]:
    return []


def tasks() -> list[Any]:
    return list(TASKS)


def menu() -> list[MenuEntry]:
    """Entries of Studio's course menu (see :mod:`kampus_studio.navigation`)."""
    return [MenuEntry("search", lazy_gettext("Search"), "studio_search.course_search_page", order=15)]
