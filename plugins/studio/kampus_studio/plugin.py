"""Wiring of the Studio plugin: it gathers each area's ``wiring`` lists (see :mod:`kampus_studio`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kampus_hookspecs import Setting, SiteDefaults, hookimpl

from kampus_studio.access import PERMISSIONS
from kampus_studio.course_settings import wiring as course_settings_wiring
from kampus_studio.courses import wiring as courses_wiring
from kampus_studio.files import wiring as files_wiring
from kampus_studio.history import wiring as history_wiring
from kampus_studio.outline import wiring as outline_wiring
from kampus_studio.pages import MENU_KEY
from kampus_studio.search import tasks as search_tasks
from kampus_studio.search import wiring as search_wiring
from kampus_studio.search.cli import reindex_studio_command
from kampus_studio.transfer import wiring as transfer_wiring
from kampus_studio.unit import wiring as unit_wiring
from kampus_studio.views import bp as studio_views
from kampus_studio.views import nav_items as studio_nav_items

KAMPUS_HOOKSPECS_REQUIRES = ">=1.4,<2"

AREAS = (courses_wiring, outline_wiring, unit_wiring, course_settings_wiring, files_wiring, transfer_wiring,
         history_wiring, search_wiring)


@hookimpl
def kampus_site_defaults() -> SiteDefaults:
    """A new site enables Studio after the LMS."""
    return SiteDefaults(enable_on_init=True, order=60)


@hookimpl
def kampus_settings() -> list[Setting]:
    return [setting for area in AREAS for setting in area.settings()]


@hookimpl
def kampus_permissions() -> dict[str, list[str]]:
    permissions = dict(PERMISSIONS)
    for area in AREAS:
        permissions.update(area.permissions())
    return permissions


@hookimpl
def kampus_migration_locations() -> list[str]:
    return [str(Path(__file__).parent / "migrations")]


@hookimpl
def kampus_template_folders() -> list[str]:
    return [str(Path(__file__).parent / "templates")]


@hookimpl
def kampus_blueprints(app: Any) -> list[Any]:
    return [studio_views, *(bp for area in AREAS for bp in area.blueprints())]


@hookimpl
def kampus_nav_items(user: Any) -> list[Any]:
    return studio_nav_items(user)


@hookimpl
def kampus_celery_tasks() -> list[Any]:
    return [task for area in AREAS for task in area.tasks()]


@hookimpl
def kampus_app_ready(app: Any) -> None:
    """Gather the areas' entries of the course menu for this app."""
    app.extensions[MENU_KEY] = [entry for area in AREAS for entry in area.menu()]


@hookimpl
def kampus_cli_commands() -> list[Any]:
    return [reindex_studio_command]


@hookimpl
def kampus_content_changed(course_id: str, version: str, user_id: int | None) -> None:
    """Every new draft goes into Studio's search index (in the background)."""
    search_tasks.on_changed(course_id, version)


@hookimpl
def kampus_content_deleted(course_id: str) -> None:
    """A deleted course leaves Studio's search index."""
    search_tasks.on_deleted(course_id)
