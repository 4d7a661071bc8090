"""Wiring of the content plugin: settings, migrations, routes, commands, tasks, demo course, dashboard panel."""

from __future__ import annotations

from pathlib import Path

from kampus_hookspecs import Setting, SiteDefaults, hookimpl
from markupsafe import Markup

import kampus_content.runtime.user_state  # XBlock learner-state tables, in this plugin's metadata
import kampus_content.store.sql  # noqa: F401  (its tables belong to this plugin's metadata)
from kampus_content.assets import bp as assets
from kampus_content.blocks_api import bp as blocks_api
from kampus_content.demo import install_demo_course, my_courses_panel
from kampus_content.olx.cli import export_course, import_course
from kampus_content.olx.tasks import export_olx, import_olx
from kampus_content.olx.views import bp as olx_api
from kampus_content.runtime.views import bp as xblock_views

#: The runtime asks ``kampus_field_overrides`` and ``kampus_user_partition_groups`` (hook API 1.5).
KAMPUS_HOOKSPECS_REQUIRES = ">=1.5,<2"


@hookimpl
def kampus_settings() -> list[Setting]:
    return [
        Setting("content_import_max_bytes", int, 1024 * 1024 * 1024,
                "Largest course archive accepted by the import API, in bytes (other requests: max_request_bytes)."),
        Setting("content_export_ttl_hours", int, 24,
                "Hours an exported course archive (export API) can be downloaded; then it is deleted."),
        Setting("content_store", str, "sql",
                "Driver of the course content store (entry points kampus.content_store): sql, mongo."),
    ]


@hookimpl
def kampus_site_defaults() -> SiteDefaults:
    """A new site enables content first: the other course plugins build on it."""
    return SiteDefaults(enable_on_init=True, order=10)


@hookimpl
def kampus_migration_locations() -> list[str]:
    return [str(Path(__file__).parent / "migrations")]


@hookimpl
def kampus_cli_commands() -> list[object]:
    return [import_course, export_course]


@hookimpl
def kampus_blueprints(app: object) -> list[object]:
    return [blocks_api, olx_api, xblock_views, assets]


@hookimpl
def kampus_template_folders() -> list[str]:
    return [str(Path(__file__).parent / "templates")]


@hookimpl
def kampus_celery_tasks() -> list[object]:
    return [import_olx, export_olx]


@hookimpl
def kampus_init_site(app: object, demo: bool) -> list[str]:
    return install_demo_course() if demo else []


@hookimpl
def kampus_dashboard_panels(user: object) -> list[object]:
    panel = my_courses_panel(user)
    return [Markup(panel)] if panel else []
