"""Wiring of the LMS plugin: settings, migrations, routes, templates, tasks and hook answers.

Thin: each hook hands over to the area that owns the job (see :mod:`kampus_lms`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kampus_hookspecs import Setting, SiteDefaults, hookimpl

from kampus_lms.catalog import overviews as catalog_overviews
from kampus_lms.catalog.views import bp as catalog_views
from kampus_lms.catalog.views import front_page as catalog_front_page
from kampus_lms.catalog.views import nav_items as catalog_nav_items
from kampus_lms.certificates import tasks as certificate_tasks
from kampus_lms.certificates.cli import certificates_command
from kampus_lms.certificates.views import bp as certificate_views
from kampus_lms.certificates.wiring import settings as certificate_settings
from kampus_lms.cohorts import api as cohorts_api
from kampus_lms.course_home import api as course_home_api
from kampus_lms.course_home import tasks as course_home_tasks
from kampus_lms.course_home.goal_reminders import DEFAULT_CRONTAB as GOAL_REMINDER_CRONTAB
from kampus_lms.course_home.views import bp as course_home_views
from kampus_lms.courseware.views import bp as courseware_views
from kampus_lms.dashboard.views import bp as dashboard_views
from kampus_lms.dashboard.views import nav_items as dashboard_nav_items
from kampus_lms.enrollment import api as enrollment_api
from kampus_lms.enrollment.cli import enroll_command
from kampus_lms.enrollment.demo import enroll_demo_learner
from kampus_lms.enrollment.views import bp as enrollment_views
from kampus_lms.grades import extensions as grades_extensions
from kampus_lms.grades import overrides as grades_overrides
from kampus_lms.grades import service as grades_service
from kampus_lms.grades import tasks as grades_tasks
from kampus_lms.grades.views import bp as grades_views
from kampus_lms.rest import bookmarks as rest_bookmarks  # rest (slice B)
from kampus_lms.rest import certificates as rest_certificates  # rest (slice B)
from kampus_lms.rest import completion as rest_completion  # rest (slice B)
from kampus_lms.rest import course_home as rest_course_home  # rest (slice B)
from kampus_lms.rest import course_modes as rest_course_modes  # rest (slice A)
from kampus_lms.rest import courses as rest_courses  # rest (slice A)
from kampus_lms.rest import enrollments as rest_enrollments  # rest (slice A)
from kampus_lms.rest import grades as rest_grades  # rest (slice B)
from kampus_lms.rest import mobile as rest_mobile  # rest (slice C)
from kampus_lms.search import tasks as search_tasks
from kampus_lms.search.cli import reindex_courses_command
from kampus_lms.search.views import bp as search_views
from kampus_lms.search.wiring import search_settings

KAMPUS_HOOKSPECS_REQUIRES = ">=1.7,<2"


@hookimpl
def kampus_site_defaults() -> SiteDefaults:
    """A new site enables the LMS after content and problems (it shows their blocks)."""
    return SiteDefaults(enable_on_init=True, order=40)


@hookimpl
def kampus_front_page(user: Any) -> Any | None:
    """The LMS's front page: a welcome, a search box and the catalog's course cards."""
    return catalog_front_page(user)  # catalog


@hookimpl
def kampus_nav_items(user: Any) -> list[Any]:
    return [
        *catalog_nav_items(user),  # catalog
        *dashboard_nav_items(user),  # dashboard
    ]


@hookimpl
def kampus_course_tabs(course_id: str, user: Any) -> list[dict[str, Any]]:
    """The LMS's tabs: Course, Progress, Dates, Updates & handouts, the course's custom pages."""
    return course_home_api.lms_course_tabs(course_id, user)  # course_home


@hookimpl
def kampus_user_course_roles(user_id: int, course_id: str) -> list[str]:
    """An active enrollment gives the course role ``learner``."""
    return enrollment_api.learner_roles(user_id, course_id)  # enrollment


@hookimpl
def kampus_users_course_roles(user_ids: list[int], course_id: str) -> dict[int, list[str]]:
    """The batch form: ``learner`` for each of ``user_ids`` actively enrolled, in one query."""
    return enrollment_api.learner_roles_of(user_ids, course_id)  # enrollment


@hookimpl
def kampus_user_partition_groups(user_id: int, course_id: str) -> dict[int, int]:
    """The content group linked to the learner's cohort (when the course is cohorted)."""
    return cohorts_api.user_partition_groups(user_id, course_id)  # cohorts


@hookimpl
def kampus_account_created(user_id: int, username: str, email: str) -> None:
    """A new account made confirmed (or on a site without confirmation) is enrolled where its e-mail
    address was pre-enrolled with auto-enroll."""
    enrollment_api.enroll_allowed_courses(user_id, email)  # enrollment


@hookimpl
def kampus_account_confirmed(user_id: int, username: str, email: str) -> None:
    """A confirmed address claims its pre-enrollments (auto-enroll ones enroll the account)."""
    enrollment_api.enroll_allowed_courses(user_id, email)  # enrollment


@hookimpl(trylast=True)
def kampus_init_site(app: Any, demo: bool) -> list[str]:
    """Last, after the content plugin installed the demo course: the demo learner is enrolled in it."""
    return enroll_demo_learner(demo)  # enrollment


@hookimpl
def kampus_cli_commands() -> list[Any]:
    return [
        enroll_command,  # enrollment
        certificates_command,  # certificates
        reindex_courses_command,  # search
    ]


@hookimpl
def kampus_settings() -> list[Setting]:
    return [
        # catalog
        # enrollment
        # courseware
        # course_home
        Setting("lms_goal_reminder_crontab", str, GOAL_REMINDER_CRONTAB,
                "When the goal reminders run (five crontab fields, UTC). Each learner is mailed between 08:00 "
                "and 18:00 of their time zone, so the default runs every hour."),
        # grades
        *certificate_settings(),  # certificates
        *search_settings(),  # search
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
            grades_views, certificate_views,
            rest_courses.bp, rest_enrollments.bp, rest_course_modes.bp,  # rest: courses, enrollment, course modes
            rest_grades.bp, rest_certificates.bp, rest_completion.bp, rest_bookmarks.bp,  # rest (slice B)
            rest_course_home.bp,  # rest (slice B)
            rest_mobile.bp,  # rest (slice C)
            ]


@hookimpl
def kampus_celery_tasks() -> list[Any]:
    return [
        *search_tasks.TASKS,  # search
        *grades_tasks.TASKS,  # grades
        *certificate_tasks.TASKS,  # certificates
        *course_home_tasks.TASKS,  # course_home
    ]


@hookimpl
def kampus_periodic_tasks() -> list[Any]:
    """The goal reminders' hourly run (course_home)."""
    return course_home_tasks.periodic_tasks()


@hookimpl
def kampus_content_published(course_id: str, version: str, user_id: int | None) -> None:
    """A published course: refresh its overview, re-index it, regrade when its grading policy changed."""
    catalog_overviews.refresh_after_publish(course_id)  # catalog
    search_tasks.on_published(course_id)  # search
    grades_tasks.on_published(course_id)  # grades
    certificate_tasks.on_published(course_id)  # certificates


@hookimpl
def kampus_score_changed(
    user_id: int, course_id: str, usage_id: str, earned: float, possible: float, only_if_higher: bool
) -> None:
    """A committed score change: the learner's course grade is recomputed and stored."""
    grades_service.on_score_changed(user_id, course_id)  # grades


@hookimpl
def kampus_permissions() -> dict[str, list[str]]:
    """The LMS's permissions (global staff hold every one)."""
    return {
        **grades_overrides.PERMISSIONS,  # grades
    }


@hookimpl
def kampus_field_overrides(course_id: str, user_id: int) -> dict[str, dict[str, Any]]:
    """The learner's due-date extensions, applied by the content runtime."""
    return grades_extensions.field_overrides(course_id, user_id)  # grades


@hookimpl
def kampus_content_deleted(course_id: str) -> None:
    """A deleted course leaves the catalog and the search index."""
    catalog_overviews.forget_after_delete(course_id)  # catalog
    search_tasks.on_deleted(course_id)  # search


@hookimpl
def kampus_event_emitted(event: dict[str, Any]) -> None:
    """A learner who enrolls in a cohorted course joins a random cohort when in none."""
    if event.get("event_type") == "edx.course.enrollment.activated":  # cohorts
        data = event.get("event") or {}
        if isinstance(data, dict) and data.get("user_id") and data.get("course_id"):
            cohorts_api.on_enrolled(int(data["user_id"]), str(data["course_id"]))
