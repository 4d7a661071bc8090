"""The course home area's API for the other LMS areas: the course page layout, tabs and outline.

Every course page (courseware, progress, dates, search, updates, custom pages) renders the
shared layout ``lms/course_page.html`` with this area's context::

    from kampus_lms.course_home.api import course_page_context

    return render_template("lms/progress/progress.html",
                           **course_page_context(course_id, "progress"), grade=grade)

    {# lms/progress/progress.html #}
    {% extends "lms/course_page.html" %}
    {% block page_title %}{{ _("Progress") }} · {% endblock %}
    {% block course_content %}<h1>...</h1>...{% endblock %}

The layout extends ``kampus/base.html`` (whose ``<main>`` landmark holds it: do not add another),
shows the course's title with its org and number, a search box, the tab bar (``<nav
aria-label="Course">``, ``aria-current="page"`` on ``active_tab``), the courseware area's staff
toolbar (``lms/courseware/_staff_toolbar.html``) and the block ``course_content``. Other
blocks: ``page_title`` (prefix of the ``<title>``), ``course_head`` (extra ``<head>`` content),
``course_scripts``. Tab ids: ``courseware`` (Course), ``progress``, ``dates``, ``info``
(Updates & handouts), ``static_tab_<url_slug>``, ``discussion``.

Dates: show them in the user's time zone and locale with the kernel's helpers
(:mod:`kampus.rendering.dates`): in Python ``format_user_datetime(dt, "medium")``, in
templates ``{{ dt|user_datetime }}``, ``{{ dt|user_date }}`` or ``{{ dt|time_tag }}``
(a ``<time datetime="ISO">`` element), ``{{ dt|time_tag("long", date_only=True) }}``.

Exports:

* :func:`course_page_context` (``course_id``, ``active_tab``) -> the layout's variables;
* :func:`course_tabs` (``course_id``, ``user``) -> the :class:`CourseTab` list a user sees;
* :func:`outline_for` (``user``, ``course_id``) -> :class:`CourseOutline` (sections, subsections,
  units the user may see, with completion, due dates, formats, and the resume target);
* :func:`course_updates` / :func:`course_handouts`: the course's updates (newest first) and handouts;
* :func:`course_dates_for` (``user``, ``course_id``) -> the Dates tab's :class:`DateItem` timeline;
* :func:`course_goal` / :func:`save_course_goal`: a learner's weekly :class:`Goal` in a course;
  :func:`record_activity`: the day a learner opened a course page (what the goal counts);
  :func:`unsubscribe_from_goal_reminders`: a goal reminder's unsubscribe token turns its reminders off;
* :func:`welcome_update` / :func:`dismiss_welcome`: the update a learner sees as the welcome message.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, url_for
from flask_login import current_user
from kampus_content.api import CourseNotFound, VersionNotFound, get_structure

from kampus.db import utcnow
from kampus_lms.catalog.api import course_overview
from kampus_lms.course_home.activity import record_activity
from kampus_lms.course_home.course_dates import DateItem, course_dates
from kampus_lms.course_home.goal_reminders import unsubscribe as unsubscribe_from_goal_reminders
from kampus_lms.course_home.goals import MAX_DAYS_PER_WEEK, Goal, course_goal, save_course_goal
from kampus_lms.course_home.info import CourseUpdate, course_info
from kampus_lms.course_home.outline import (
    CourseOutline,
    OutlineSection,
    OutlineSubsection,
    OutlineUnit,
    build_outline,
    outline_for,
)
from kampus_lms.course_home.tabs import CourseTab
from kampus_lms.course_home.tabs import course_tabs as _course_tabs
from kampus_lms.course_home.tabs import lms_course_tabs as _lms_course_tabs
from kampus_lms.course_home.welcome import dismiss_welcome, welcome_update
from kampus_lms.courseware.api import course_access, staff_toolbar

__all__ = [
    "CourseOutline",
    "CourseTab",
    "CourseUpdate",
    "DateItem",
    "Goal",
    "MAX_DAYS_PER_WEEK",
    "OutlineSection",
    "OutlineSubsection",
    "OutlineUnit",
    "course_handouts",
    "course_dates_for",
    "course_goal",
    "course_page_context",
    "course_tabs",
    "course_updates",
    "dismiss_welcome",
    "lms_course_tabs",
    "outline_for",
    "record_activity",
    "save_course_goal",
    "unsubscribe_from_goal_reminders",
    "welcome_update",
]


def _structure(course_id: str) -> Any:
    try:
        return get_structure(course_id)
    except (CourseNotFound, VersionNotFound):
        return None


def course_tabs(course_id: str, user: Any) -> list[CourseTab]:
    """The tabs ``user`` sees in the published course, in order (empty for an unknown course)."""
    structure = _structure(course_id)
    if structure is None:
        return []
    access = course_access(user, course_id)
    return _course_tabs(course_id, user, structure, is_staff=bool(access and access.is_staff))


def lms_course_tabs(course_id: str, user: Any) -> list[dict[str, Any]]:
    """The LMS's answer to ``kampus_course_tabs``: its built-in tabs and the course's custom pages."""
    structure = _structure(course_id)
    return [] if structure is None else _lms_course_tabs(course_id, user, structure)


def course_page_context(course_id: str, active_tab: str) -> dict[str, Any]:
    """The variables of ``lms/course_page.html`` for the current user (404 for a course that is not
    published): ``course`` (the :class:`~kampus_lms.catalog.api.CourseOverview`), ``course_id``,
    ``course_tabs``, ``active_tab``, ``course_access``, ``staff_toolbar``, ``course_search_url``."""
    overview = course_overview(course_id)
    structure = _structure(course_id) if overview is not None else None
    if overview is None or structure is None:
        abort(404)
    user = current_user._get_current_object()
    access = course_access(user, course_id)
    return {
        "course": overview,
        "course_id": course_id,
        "course_tabs": _course_tabs(course_id, user, structure, is_staff=bool(access and access.is_staff)),
        "active_tab": active_tab,
        "course_access": access,
        "staff_toolbar": staff_toolbar(user, course_id),
        "course_search_url": url_for("lms_course_home.search", course_id=course_id),
    }


def course_updates(course_id: str) -> list[CourseUpdate]:
    """The course's updates, newest first (sanitised HTML; empty when it has none)."""
    structure = _structure(course_id)
    return [] if structure is None else course_info(structure).updates


def course_handouts(course_id: str) -> str:
    """The course's handouts (sanitised HTML; ``""`` when it has none)."""
    structure = _structure(course_id)
    return "" if structure is None else course_info(structure).handouts


def course_dates_for(user: Any, course_id: str, *, now: datetime | None = None) -> list[DateItem] | None:
    """The Dates tab's timeline of the published course for ``user`` (``None`` for a course that is not
    published), oldest first."""
    structure = _structure(course_id)
    overview = course_overview(course_id) if structure is not None else None
    if structure is None or overview is None:
        return None
    now = now or utcnow()
    outline = build_outline(user, course_id, structure, now=now)
    return course_dates(overview, outline, structure, now)
