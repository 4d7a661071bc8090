"""Open edX's course API (``lms/djangoapps/course_api``): the course list and a course's details.

* ``GET /api/courses/v1/courses/``: the courses the effective user may see in the catalog, newest
  start first, paginated as edx-drf-extensions' ``NamespacedPageNumberPagination`` (``{"results",
  "pagination": {"next", "previous", "count", "num_pages"}}``, ``page_size`` 10 by default, at most
  100). Parameters: ``username`` (whose view; empty means an anonymous visitor, as Open edX's
  ``CourseListGetForm``; another user's only for global staff: 403, unknown user 404), ``org``
  (case-insensitive), ``search_term`` (course discovery), ``mobile`` (the course's ``mobile_available``
  flag equals it), ``permissions`` (course roles the user must hold), ``active_only`` (courses that have
  not ended), ``page``, ``page_size``.
* ``GET /api/courses/v1/courses/<course_id>``: one course (``CourseDetailSerializer``: the list's
  fields plus ``overview`` HTML), for whoever may see its about page; 404 otherwise, 400 for a
  malformed id.

Fields are Open edX's ``CourseSerializer``'s; dates as DRF renders them; errors in Open edX's
developer-error shape.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint
from flask_login import AnonymousUserMixin, current_user
from pydantic import BaseModel, Field

from kampus.api_docs import ApiSection, validated
from kampus.urls import site_base_url
from kampus_lms.catalog.api import (
    CourseOverview,
    can_see_about_page,
    can_see_in_catalog,
    course_overview,
    list_overviews,
)
from kampus_lms.rest.common import (
    SHORT_DATE,
    absolute,
    course_roles_held,
    developer_error,
    drf_datetime,
    field_errors,
    holds_role,
    install_error_handler,
    is_global_staff,
    json_answer,
    namespaced_page,
    page_window,
    parse_course_id,
    user_by_username,
)
from kampus_lms.search.api import search_courses

bp = Blueprint("rest_courses", __name__)
install_error_handler(bp)

courses_api = ApiSection("courses", "Open edX's course API: the catalog's courses and their details.",
                         errors="openedx", public=True)

#: Open edX's default course start (a course without one has not started).
DEFAULT_START = datetime(2030, 1, 1, tzinfo=UTC)
#: How many course-discovery hits ``search_term`` reads at most (Open edX reads up to 10 000).
SEARCH_LIMIT = 1000
SEARCH_PAGE = 100

TRUE_VALUES = {"true", "1", "yes", "on"}
FALSE_VALUES = {"false", "0", "no", "off"}


# -- the document's models -----------------------------------------------------------------------------------


class CourseListQuery(BaseModel):
    """Open edX's ``CourseListGetForm`` (checked by the view, with Open edX's messages)."""

    search_term: str | None = Field(None, description="Course discovery terms the courses must match.")
    username: str | None = Field(None, description="Whose catalog (empty: an anonymous visitor's; another "
                                                   "user's for global staff only).")
    org: str | None = Field(None, description="Only this organization's courses (case-insensitive).")
    mobile: str | None = Field(None, description="true/false: only courses (not) available on mobile.")
    permissions: str | None = Field(None, description="Comma-separated course roles the user must hold "
                                                      "(staff, instructor, ...).")
    active_only: str | None = Field(None, description="true: only courses that have not ended.")
    page: str | None = Field(None, description="Page number (1-based) or 'last'.")
    page_size: str | None = Field(None, description="Courses per page (default 10, at most 100).")


class CourseDetailQuery(BaseModel):
    username: str | None = Field(None, description="Whose view of the course (empty: an anonymous visitor's).")


class MediaUri(BaseModel):
    uri: str | None


class BannerImage(BaseModel):
    uri: str | None
    uri_absolute: str | None


class ImageUrls(BaseModel):
    raw: str | None
    small: str | None
    large: str | None


class CourseMedia(BaseModel):
    banner_image: BannerImage
    course_image: MediaUri
    course_video: MediaUri
    image: ImageUrls


class CourseJson(BaseModel):
    """Open edX's ``CourseSerializer``."""

    blocks_url: str
    effort: str | None
    end: str | None
    enrollment_start: str | None
    enrollment_end: str | None
    id: str
    media: CourseMedia
    name: str
    number: str
    org: str
    short_description: str | None
    start: str | None
    start_display: str | None
    start_type: str
    pacing: str
    mobile_available: bool
    hidden: bool
    invitation_only: bool
    course_id: str


class CourseDetailJson(CourseJson):
    """Open edX's ``CourseDetailSerializer``: the list's fields and the about page's ``overview``."""

    overview: str | None


class NamespacedPagination(BaseModel):
    next: str | None
    previous: str | None
    count: int
    num_pages: int


class CourseList(BaseModel):
    results: list[CourseJson]
    pagination: NamespacedPagination


class DeveloperError(BaseModel):
    """Open edX's developer error: ``developer_message`` (or ``field_errors``)."""

    developer_message: str | None = None
    field_errors: dict[str, dict[str, str]] | None = None
    model_config = {"extra": "allow"}


# -- serializing ----------------------------------------------------------------------------------------------


def _absolute(uri: str | None) -> str | None:
    if not uri:
        return None
    return uri if uri.startswith(("http://", "https://")) else site_base_url() + (uri if uri.startswith("/")
                                                                                 else "/" + uri)


def course_json(overview: CourseOverview, *, detail: bool = False) -> dict[str, Any]:
    """A course as Open edX's ``CourseSerializer`` (``CourseDetailSerializer`` with ``detail``) renders it."""
    start = overview.start or DEFAULT_START
    if overview.advertised_start:
        start_display: str | None = overview.advertised_start
        start_type = "string"
    elif start != DEFAULT_START:
        start_display = start.strftime(SHORT_DATE)
        start_type = "timestamp"
    else:
        start_display = None
        start_type = "empty"
    image = overview.course_image_url or None
    video = f"https://www.youtube.com/embed/{overview.intro_video}" if overview.intro_video else None
    body: dict[str, Any] = {
        "blocks_url": absolute("/api/courses/v1/blocks/?" + urlencode({"course_id": overview.id})),
        "effort": overview.effort or None,
        "end": drf_datetime(overview.end),
        "enrollment_start": drf_datetime(overview.enrollment_start),
        "enrollment_end": drf_datetime(overview.enrollment_end),
        "id": overview.id,
        "media": {
            "banner_image": {"uri": image, "uri_absolute": _absolute(image)},
            "course_image": {"uri": image},
            "course_video": {"uri": video},
            "image": {"raw": _absolute(image), "small": _absolute(image), "large": _absolute(image)},
        },
        "name": overview.display_name,
        "number": overview.display_number or overview.number,
        "org": overview.display_org or overview.org,
        "short_description": overview.short_description or None,
        "start": drf_datetime(start),
        "start_display": start_display,
        "start_type": start_type,
        "pacing": "self" if overview.self_paced else "instructor",
        "mobile_available": overview.mobile_available,
        "hidden": overview.catalog_visibility in ("about", "none"),
        "invitation_only": overview.invitation_only,
        "course_id": overview.id,
    }
    if detail:
        body["overview"] = overview.overview_html or None
    return body


# -- parameters -----------------------------------------------------------------------------------------------


def _flag(name: str, raw: str | None) -> bool | None:
    """Open edX's ``ExtendedNullBooleanField``: true/false words, else a 400 naming the field."""
    if raw is None or raw == "":
        return None
    if raw.lower() in TRUE_VALUES:
        return True
    if raw.lower() in FALSE_VALUES:
        return False
    raise field_errors({name: "Select a valid choice. That choice is not one of the available choices."})


def effective_user(requesting: Any, username: str | None) -> Any:
    """Open edX's ``get_effective_user``: the requesting user for their own name, an anonymous visitor for
    none, another account for global staff (404 when it does not exist); else 403."""
    if not username:
        return AnonymousUserMixin()
    if getattr(requesting, "is_authenticated", False) and username == requesting.username:
        return requesting
    if not is_global_staff(requesting):
        raise developer_error(403, "You do not have permission to perform this action.")
    user = user_by_username(username)
    if user is None:
        raise developer_error(404, f"Requested user '{username}' does not exist.")
    return user


def _searched_ids(term: str, user: Any) -> set[str]:
    found: set[str] = set()
    page = 1
    while len(found) < SEARCH_LIMIT:
        result = search_courses(term, user=user, page=page, page_size=SEARCH_PAGE)
        found.update(hit.course_id for hit in result.hits)
        if page >= result.pages or not result.hits:
            break
        page += 1
    return found


# -- views ---------------------------------------------------------------------------------------------------


@bp.get("/api/courses/v1/courses/")
@courses_api.doc(query=CourseListQuery, resp={200: CourseList, 400: DeveloperError, 403: DeveloperError,
                                              404: DeveloperError})
def course_list() -> Any:
    """The courses the user may see in the catalog (Open edX's ``CourseListView``)."""
    query: CourseListQuery = validated("query")
    user = effective_user(current_user, query.username)
    mobile = _flag("mobile", query.mobile)
    active_only = _flag("active_only", query.active_only)
    roles = [role.strip() for role in (query.permissions or "").split(",") if role.strip()]
    courses = [overview for overview in list_overviews() if can_see_in_catalog(user, overview)]
    if query.org:
        org = query.org.lower()
        courses = [overview for overview in courses if overview.org.lower() == org]
    if mobile is not None:  # Open edX's ``filter_={'mobile_available': mobile}``
        courses = [overview for overview in courses if overview.mobile_available is mobile]
    if active_only:
        now = datetime.now(UTC)
        courses = [overview for overview in courses if overview.end is None or overview.end >= now]
    if roles and not is_global_staff(user):
        holdings = course_roles_held(user)
        courses = [overview for overview in courses if all(holds_role(holdings, overview.id, role) for role in roles)]
    if query.search_term and query.search_term.strip():
        found = _searched_ids(query.search_term, user)
        courses = [overview for overview in courses if overview.id in found]
    window = page_window(len(courses), query.page, query.page_size, default_size=10, max_size=100)
    return json_answer(namespaced_page([course_json(overview) for overview in window.slice(courses)], window))


@bp.get("/api/courses/v1/courses/<course_key_string>")
@bp.get("/api/courses/v1/courses/<course_key_string>/")
@courses_api.doc(query=CourseDetailQuery, resp={200: CourseDetailJson, 400: DeveloperError, 403: DeveloperError,
                                                404: DeveloperError})
def course_detail(course_key_string: str) -> Any:
    """One course with its about page's overview (Open edX's ``CourseDetailView``)."""
    query: CourseDetailQuery = validated("query")
    course_id = parse_course_id(course_key_string)
    user = effective_user(current_user, query.username)
    overview = course_overview(course_id)
    if overview is None or not can_see_about_page(user, overview):
        raise developer_error(404, f"Course not found: {course_id}.")
    return json_answer(course_json(overview, detail=True))
