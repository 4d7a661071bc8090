"""Wiring of the forums plugin: it gathers each area's ``wiring`` lists (see :mod:`kampus_forums`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kampus_hookspecs import Setting, SiteDefaults, hookimpl

from kampus_forums.access import PERMISSIONS
from kampus_forums.interactions import wiring as interactions_wiring
from kampus_forums.moderation import wiring as moderation_wiring
from kampus_forums.notifications import hooks as notification_hooks
from kampus_forums.notifications import listeners as notification_listeners
from kampus_forums.notifications import wiring as notifications_wiring
from kampus_forums.notifications.cli import forums_digest_command
from kampus_forums.rest import wiring as rest_wiring
from kampus_forums.search import indexing as search_indexing
from kampus_forums.search import wiring as search_wiring
from kampus_forums.search.cli import forums_reindex_command
from kampus_forums.threads import wiring as threads_wiring
from kampus_forums.topics import wiring as topics_wiring
from kampus_forums.web import wiring as web_wiring
from kampus_forums.web.inline import wrap_discussion
from kampus_forums.web.tabs import discussion_tab

KAMPUS_HOOKSPECS_REQUIRES = ">=1.6,<2"

AREAS = (threads_wiring, interactions_wiring, moderation_wiring, topics_wiring, notifications_wiring,
         search_wiring, rest_wiring, web_wiring)


@hookimpl
def kampus_site_defaults() -> SiteDefaults:
    """A new site enables the forums after the LMS whose courses they discuss."""
    return SiteDefaults(enable_on_init=True, order=55)


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
    return [bp for area in AREAS for bp in area.blueprints()]


@hookimpl
def kampus_celery_tasks() -> list[Any]:
    return [task for area in AREAS for task in area.tasks()]


@hookimpl
def kampus_event_emitted(event: dict[str, Any]) -> None:
    """The forums' own tracking events (``edx.forum.*``, emitted after each write commits) feed the
    notifications and the search index."""
    if not str(event.get("event_type", "")).startswith("edx.forum."):
        return
    notification_listeners.on_event(event)
    search_indexing.on_event(event)


@hookimpl
def kampus_cli_commands() -> list[Any]:
    return [forums_reindex_command, forums_digest_command]


@hookimpl
def kampus_course_tabs(course_id: str, user: Any) -> list[dict[str, Any]]:
    """The Discussion tab (web area), for enrolled learners and the course team."""
    return discussion_tab(course_id, user)


@hookimpl
def kampus_wrap_fragment(block: Any, view: str, fragment: Any, context: dict[str, Any]) -> Any:
    """The inline discussion of a unit (web area): the discussion block filled with the topic's threads."""
    return wrap_discussion(block, view, fragment, context)


@hookimpl
def kampus_nav_items(user: Any) -> list[Any]:
    """The notifications' bell with the unread count (notifications area)."""
    return notification_hooks.nav_items(user)


@hookimpl
def kampus_periodic_tasks() -> list[Any]:
    """The daily and weekly digests of notifications (notifications area)."""
    return notification_hooks.periodic_tasks()
