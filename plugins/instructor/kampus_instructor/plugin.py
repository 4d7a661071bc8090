"""Wiring of the instructor dashboard plugin: it gathers each area's ``wiring`` lists (see
:mod:`kampus_instructor`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kampus_hookspecs import PeriodicTask, Setting, SiteDefaults, hookimpl

from kampus_instructor import views
from kampus_instructor.access import PERMISSIONS
from kampus_instructor.bulk_email import wiring as bulk_email_wiring
from kampus_instructor.certificates import wiring as certificates_wiring
from kampus_instructor.course_info import wiring as course_info_wiring
from kampus_instructor.gradebook import wiring as gradebook_wiring
from kampus_instructor.learner_admin import wiring as learner_admin_wiring
from kampus_instructor.membership import wiring as membership_wiring
from kampus_instructor.pages import SECTIONS_KEY
from kampus_instructor.reports import wiring as reports_wiring
from kampus_instructor.tasks import wiring as tasks_wiring

KAMPUS_HOOKSPECS_REQUIRES = ">=1.6,<2"

AREAS = (course_info_wiring, membership_wiring, learner_admin_wiring, gradebook_wiring, reports_wiring,
         bulk_email_wiring, certificates_wiring, tasks_wiring)


@hookimpl
def kampus_site_defaults() -> SiteDefaults:
    """A new site enables the instructor dashboard after the LMS it administers."""
    return SiteDefaults(enable_on_init=True, order=45)


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
    return [views.bp, *(bp for area in AREAS for bp in area.blueprints())]


@hookimpl
def kampus_course_tabs(course_id: str, user: Any) -> list[dict[str, Any]]:
    """The "Instructor" tab for the course team."""
    return views.course_tabs(course_id, user)


@hookimpl
def kampus_celery_tasks() -> list[Any]:
    return [task for area in AREAS for task in area.tasks()]


@hookimpl
def kampus_periodic_tasks() -> list[PeriodicTask]:
    return bulk_email_wiring.periodic_tasks()


@hookimpl
def kampus_app_ready(app: Any) -> None:
    """Gather the areas' dashboard sections for this app."""
    app.extensions[SECTIONS_KEY] = [section for area in AREAS for section in area.sections()]
