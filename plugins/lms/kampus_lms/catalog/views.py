"""Pages of the LMS area ``catalog``: the front page, the catalog with search and facets, the about pages.

* ``/`` (through ``kampus_front_page``): a welcome, a search box and the listed courses' cards;
* ``/courses``: the catalog, searched and filtered by a GET form (works without JavaScript), paged;
  the search area's :func:`~kampus_lms.search.api.search_courses` answers (which courses a visitor may
  find there is its rule: ``catalog_visibility`` 'both');
* ``/courses/<course_id>/about``: a course's about page with its enrollment call to action (the form
  posts to the enrollment area's ``/courses/<course_id>/enroll``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask import Blueprint, abort, render_template, request, send_from_directory, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from kampus_hookspecs import NavItem

from kampus_lms.catalog.api import about_url, can_see_about_page, can_see_in_catalog, course_overview, list_overviews
from kampus_lms.catalog.listing import PAGE_SIZE, parse_query
from kampus_lms.catalog.overviews import CourseOverview
from kampus_lms.enrollment.api import (
    count_enrolled_learners,
    course_modes,
    default_mode_slug,
    enrollment_refusal,
    get_enrollment,
)
from kampus_lms.search.api import language_label, search_courses

bp = Blueprint("lms_catalog", __name__)

STATIC = Path(__file__).resolve().parent.parent / "static" / "lms" / "catalog"
#: Course cards on the front page.
FRONT_PAGE_COURSES = 8


def nav_items(user: Any) -> list[NavItem]:
    """The main navigation's "Courses" entry (``kampus_nav_items``)."""
    return [NavItem(label=str(_l("Courses")), url="/courses", order=10)]


def _visible(user: Any) -> list[CourseOverview]:
    return [overview for overview in list_overviews() if can_see_in_catalog(user, overview)]


def front_page(user: Any) -> Any:
    """The site's front page (``kampus_front_page``): the listed courses, newest first."""
    courses = _visible(user)
    return render_template("lms/catalog/front_page.html", courses=courses[:FRONT_PAGE_COURSES],
                           more_courses=len(courses) > FRONT_PAGE_COURSES, about_url=about_url,
                           now=datetime.now(UTC))


@bp.get("/courses")
@bp.get("/courses/")
def catalog() -> Any:
    """The catalog: search words, facet filters, cards, pages (through the search area's course discovery)."""
    query = parse_query(request.args)
    now = datetime.now(UTC)
    result = search_courses(query.text, query.filters, user=current_user, page=query.page, page_size=PAGE_SIZE,
                            now=now)
    if result.total and query.page > result.pages:  # past the end: the last page
        result = search_courses(query.text, query.filters, user=current_user, page=result.pages,
                                page_size=PAGE_SIZE, now=now)
    courses = [hit.overview for hit in result.hits if hit.overview is not None]
    return render_template("lms/catalog/catalog.html", query=query, result=result, courses=courses,
                           about_url=about_url, now=now, page_url=_page_url)


def _page_url(page: int) -> str:
    """The catalog URL of ``page`` with the current words and filters."""
    args = request.args.to_dict(flat=False)
    args["page"] = [str(page)]
    return url_for("lms_catalog.catalog", **args)


def _course_path(course_id: str) -> str:
    return f"/courses/{quote(course_id, safe=':+@')}"


@dataclass(frozen=True)
class EnrollmentState:
    """The about page's call to action: ``enrolled``, ``enroll``, ``login``, ``full``, ``invitation_only``,
    ``not_yet`` (enrollment opens later) or ``closed``."""

    kind: str
    mode: str = ""


def _closed_kind(overview: CourseOverview, now: datetime) -> str:
    return "not_yet" if overview.is_enrollment_upcoming(now) else "closed"


def enrollment_state(user: Any, overview: CourseOverview, now: datetime) -> EnrollmentState:
    """What the about page offers ``user``: enrolled, else what the enrollment area's one rule answers
    (:func:`~kampus_lms.enrollment.api.enrollment_refusal`: the page never offers what enrolling refuses).
    A visitor is told the course's own limits (full, invitation only, closed), else to log in."""
    if getattr(user, "is_authenticated", False):
        enrollment = get_enrollment(user.id, overview.id)
        if enrollment is not None and enrollment.is_active:
            return EnrollmentState("enrolled", enrollment.mode)
        refusal = enrollment_refusal(user, overview.id, now=now)
        if refusal is None:
            return EnrollmentState("enroll")
        if refusal.code in ("full", "invitation_only"):
            return EnrollmentState(refusal.code)
        return EnrollmentState(_closed_kind(overview, now))
    limit = overview.max_student_enrollments_allowed
    if limit is not None and count_enrolled_learners(overview.id) >= limit:
        return EnrollmentState("full")
    if overview.invitation_only:
        return EnrollmentState("invitation_only")
    if not overview.is_enrollment_open(now):
        return EnrollmentState(_closed_kind(overview, now))
    return EnrollmentState("login")


@bp.get("/courses/<course_id>/about")
def about(course_id: str) -> Any:
    """A course's about page (404 for unknown, unpublished or hidden courses)."""
    overview = course_overview(course_id)
    if overview is None or not can_see_about_page(current_user, overview):
        abort(404)
    now = datetime.now(UTC)
    state = enrollment_state(current_user, overview, now)
    modes = [mode for mode in course_modes(overview.id) if mode.is_free] if state.kind == "enroll" else []
    home = _course_path(overview.id)
    prerequisites = [(other_id, course_overview(other_id)) for other_id in overview.pre_requisite_courses]
    return render_template(
        "lms/catalog/about.html", course=overview, state=state, now=now, modes=modes,
        default_mode=default_mode_slug(modes) if modes else "",
        language=language_label(overview.language), about_url=about_url,
        prerequisites=[(cid, other) for cid, other in prerequisites if other is None or other.has_about_page],
        course_home_url=f"{home}/course/", enroll_url=f"{home}/enroll",
        login_url=url_for("identity.login", next=f"{home}/enroll"),
        register_url=url_for("identity.register", next=f"{home}/enroll"),
    )


@bp.get("/static/lms/catalog/<path:filename>")
def catalog_static(filename: str) -> Any:
    """The catalog's own static files (the default course image, its stylesheet)."""
    return send_from_directory(STATIC, filename, max_age=3600)
