"""Wiring of the LMS plugin: settings, migrations, routes, templates, tasks and hook answers.

Thin: each hook hands over to the area that owns the job (see :mod:`kampus_lms`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kampus_hookspecs import Setting, SiteDefaults, hookimpl

from kampus_lms.catalog.views import bp as catalog_views
from kampus_lms.certificates.views import bp as certificate_views
from kampus_lms.course_home.views import bp as course_home_views
from kampus_lms.courseware.views import bp as courseware_views
from kampus_lms.dashboard.views import bp as dashboard_views
from kampus_lms.enrollment.views import bp as enrollment_views
from kampus_lms.grades.views import bp as grades_views
from kampus_lms.search.views import bp as search_views

KAMPUS_HOOKSPECS_REQUIRES = ">=1.3,<2"


@hookimpl
def kampus_site_defaults() -> SiteDefaults:
    """A new site enables the LMS after content and problems (it shows their blocks)."""
    return SiteDefaults(enable_on_init=True, order=40)


@hookimpl
def kampus_settings() -> list[Setting]:
    return [
        # catalog
        # enrollment
        # courseware
        # course_home
        # grades
        # certificates
        # search
    ]


@hookimpl
def kampus_migration_locations() -> list[str]:
    return [str(Path(__file__).parent / "migrations")]


@hookimpl
def kampus_template_folders() -> list[str]:
    return [str(Path(__file__).parent / "templates")]


@hookimpl
def kampus_blueprints(app: Any) -> list[Any]:
    return [catalog_views, search_views, enrollment_views, dashboard_views, courseware_views, course_home_views,
            grades_views, certificate_views]


@hookimpl
def kampus_celery_tasks() -> list[Any]:
    return [
        # search
        # grades
        # certificates
    ]


@hookimpl
def kampus_content_published(course_id: str, version: str, user_id: int | None) -> None:
    """A published course: refresh its overview, re-index it, regrade when its grading policy changed."""
    # catalog
    # search
    # grades


@hookimpl
def kampus_content_deleted(course_id: str) -> None:
    """A deleted course leaves the catalog and the search index."""
    # catalog
    # search
