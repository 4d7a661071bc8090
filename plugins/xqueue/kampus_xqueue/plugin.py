"""Wiring of the XQueue plugin: settings, migrations, routes, templates, tasks (and the periodic sweep), CLI and
hook answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kampus_hookspecs import Setting, SiteDefaults, hookimpl

from kampus_xqueue import api, callback, periodic, push
from kampus_xqueue.admin import bp as admin_views
from kampus_xqueue.admin import nav_items as admin_nav_items
from kampus_xqueue.cli import xqueue_command
from kampus_xqueue.grader.cli import xqueue_grader_command
from kampus_xqueue.wire import bp as wire_views

KAMPUS_HOOKSPECS_REQUIRES = ">=1.6,<2"


@hookimpl
def kampus_site_defaults() -> SiteDefaults:
    """A new site enables XQueue after the problems it grades and the LMS."""
    return SiteDefaults(enable_on_init=True, order=50)


@hookimpl
def kampus_settings() -> list[Setting]:
    return [
        Setting("xqueue_push_hosts", list, [],
                "Hosts (host or host:port) that push-mode queues may post submissions to. Empty: none, so a "
                "queue's URL cannot make the server call an address of its choosing."),
        Setting("xqueue_lms_callback_hosts", list, [],
                "Hosts (host or host:port) of remote LMSs (Open edX) using this site as their XQueue: a reply is "
                "posted to a submission's lms_callback_url only on these hosts. Empty: remote LMSs' submissions "
                "are refused."),
        *periodic.settings(),
    ]


@hookimpl
def kampus_permissions() -> dict[str, list[str]]:
    """``xqueue.manage``: queues and grader credentials (global staff only)."""
    return {"xqueue.manage": []}


@hookimpl
def kampus_migration_locations() -> list[str]:
    return [str(Path(__file__).parent / "migrations")]


@hookimpl
def kampus_template_folders() -> list[str]:
    return [str(Path(__file__).parent / "templates")]


@hookimpl
def kampus_blueprints(app: Any) -> list[Any]:
    return [wire_views, admin_views]


@hookimpl
def kampus_nav_items(user: Any) -> list[Any]:
    return admin_nav_items(user)


@hookimpl
def kampus_celery_tasks() -> list[Any]:
    return [*push.TASKS, *callback.TASKS, *periodic.TASKS]


@hookimpl
def kampus_periodic_tasks() -> list[Any]:
    """The workers' sweep of the queues' timeouts (see :mod:`kampus_xqueue.periodic`)."""
    return periodic.periodic_tasks()


@hookimpl
def kampus_cli_commands() -> list[Any]:
    return [
        xqueue_command,
        xqueue_grader_command,
    ]


@hookimpl
def kampus_external_queues() -> dict[str, Any]:
    """One object for every queue of this site: ``{"*": XQueueService()}``."""
    return api.external_queues()
