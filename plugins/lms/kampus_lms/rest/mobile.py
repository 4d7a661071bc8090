"""Open edX's mobile API (``lms/djangoapps/mobile_api``) at its paths, in its shapes.

* ``GET /api/mobile/<version>/my_user_info``: 302 to the signed-in user's ``users/<username>``.
* ``GET /api/mobile/<version>/users/<username>``: ``{"id", "username", "email", "name", "course_enrollments"}``.
* ``GET /api/mobile/<version>/users/<username>/course_enrollments/``: the user's active enrollments, newest
  first. v0.5: a list without ``audit_access_expires``/``course_modes``; v1: a list; v2: ``{"configs",
  "user_timezone", "enrollments": [...]}``; v3: the same with ``enrollments`` paginated as edx-drf-extensions'
  ``DefaultPagination``; v4: paginated 5 a page (``page_size`` up to 50), the newest enrollment taken out of
  the list as ``primary`` with ``course_status``, ``course_progress`` and ``course_assignments``. ``?org=``
  filters by organisation.
* ``GET /api/mobile/<version>/course_info/<course_id>/updates`` (a list of ``{"id", "date", "content",
  "status"}``, newest first) and ``.../handouts`` (``{"handouts_html"}``, ``null`` when there are none):
  enrolled learners and course staff.

``<version>`` is one of ``v0.5``, ``v1``, ``v2``, ``v3``, ``v4``. Another user's data is 404 to users (the
account's existence stays hidden) and 403 to staff, as Open edX's ``IsUserInUrl`` answers.

Mobile availability is Open edX's ``is_mobile_available_for_user``: the course's ``mobile_available`` flag
(an advanced setting; :data:`~kampus_lms.catalog.overviews.MOBILE_AVAILABLE_DEFAULT` when the course does not
set it), or the user is global staff, course staff or a beta tester of the course. The enrollment list leaves
out the courses not available to the user; ``course_info`` answers 404 with Open edX's ``mobile_unavailable``
access error, after the start date check and before the enrollment check (``load_mobile``).
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, current_app, redirect, request
from opaque_keys.edx.keys import CourseKey
from pydantic import BaseModel, Field, RootModel
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from kampus.api_docs import ApiSection
from kampus.current import current_kampus
from kampus.db import utcnow
from kampus.identity import preferences
from kampus.identity.permissions import permission_table
from kampus.identity.roles import BETA_TESTER
from kampus_lms.catalog.api import CourseOverview, about_url, course_overview, course_overviews
from kampus_lms.certificates.api import certificate_statuses
from kampus_lms.course_home.api import course_handouts, course_updates, outline_for
from kampus_lms.courseware.api import course_access, resume_block
from kampus_lms.enrollment.api import CourseMode, Enrollment, course_modes_for, enrollments_of
from kampus_lms.rest.common import (
    NOT_FOUND,
    PERMISSION_DENIED,
    SHORT_DATE,
    RestError,
    absolute,
    access_json,
    course_roles_held,
    detail_error,
    drf_datetime,
    drf_page,
    holds_role,
    install_error_handler,
    is_global_staff,
    json_answer,
    not_started,
    page_window,
    parse_course_id,
    requesting_user,
)
from kampus_lms.rest.courses import DEFAULT_START

bp = Blueprint("lms_rest_mobile", __name__)
install_error_handler(bp)

mobile_api = ApiSection("mobile", "Open edX's mobile API (users, enrollments, course info).", errors="openedx")

#: Open edX's mobile API versions.
VERSIONS = ("v0.5", "v1", "v2", "v3", "v4")
V05, V1, V2, V3, V4 = VERSIONS
#: v4's page size (``UserCourseEnrollmentsV4Pagination``) and v3's (edx-drf-extensions' ``DefaultPagination``).
V4_PAGE_SIZE, V4_MAX_PAGE_SIZE = 5, 50
V3_PAGE_SIZE, V3_MAX_PAGE_SIZE = 10, 100
#: Open edX's ``get_encoded_course_sharing_utm_params``.
SHARING_UTM = {
    "facebook": "utm_medium=social&utm_campaign=social-sharing-db&utm_source=facebook",
    "twitter": "utm_medium=social&utm_campaign=social-sharing-db&utm_source=twitter",
}


# -- models of the document ------------------------------------------------------------------------------


class MobileUser(BaseModel):
    id: int
    username: str
    email: str
    name: str
    course_enrollments: str


class CoursewareAccess(BaseModel):
    has_access: bool
    error_code: str | None = None
    developer_message: str | None = None
    user_message: str | None = None
    additional_context_user_message: str | None = None
    user_fragment: str | None = None


class MobileCourse(BaseModel):
    id: str
    name: str
    number: str
    org: str
    org_logo: str | None
    start: str | None
    start_display: str | None
    start_type: str
    end: str | None
    dynamic_upgrade_deadline: str | None
    subscription_id: str
    courseware_access: CoursewareAccess
    media: dict[str, dict[str, Any]]
    course_image: str | None
    course_about: str
    course_sharing_utm_parameters: dict[str, str]
    course_updates: str
    course_handouts: str
    discussion_url: str | None
    video_outline: str | None
    is_self_paced: bool


class MobileMode(BaseModel):
    slug: str
    sku: str | None
    android_sku: str | None
    ios_sku: str | None
    min_price: int


class MobileEnrollment(BaseModel):
    audit_access_expires: str | None = None
    created: str | None
    mode: str
    is_active: bool
    course: MobileCourse
    certificate: dict[str, str]
    course_modes: list[MobileMode] | None = None


class PrimaryEnrollment(MobileEnrollment):
    course_status: dict[str, Any] | None
    course_progress: dict[str, int]
    course_assignments: dict[str, list[dict[str, Any]]]


class EnrollmentPage(BaseModel):
    next: str | None
    previous: str | None
    count: int
    num_pages: int
    current_page: int
    start: int
    results: list[MobileEnrollment]


class EnrollmentsWithConfig(BaseModel):
    """v2, v3 and v4: the enrollments (a page in v3/v4) with the app's configuration."""

    configs: dict[str, Any]
    user_timezone: str
    enrollments: list[MobileEnrollment] | EnrollmentPage
    primary: PrimaryEnrollment | None = None


class EnrollmentList(RootModel[list[MobileEnrollment] | EnrollmentsWithConfig]):
    """v0.5 and v1: a list; v2 to v4: an object."""


class EnrollmentsQuery(BaseModel):
    org: str | None = Field(None, description="Only the courses of this organisation.")
    page: str | None = Field(None, description="Page number (v3, v4).")
    page_size: str | None = Field(None, description="Page size (v3: up to 100; v4: up to 50).")
    status: str | None = Field(None, description="v4: in_progress, completed or expired (not supported: ignored).")
    requested_fields: str | None = Field(None, description="v4: course_progress adds the progress to each item.")


class CourseUpdateJson(BaseModel):
    id: int
    date: str
    content: str
    status: str


class CourseUpdates(RootModel[list[CourseUpdateJson]]):
    pass


class Handouts(BaseModel):
    handouts_html: str | None


# -- helpers ------------------------------------------------------------------------------------------------


def _version(api_version: str) -> str:
    if api_version not in VERSIONS:
        raise detail_error(404, NOT_FOUND)
    return api_version


def _owner(username: str) -> Any:
    """Open edX's ``IsUserInUrl``: the user named in the URL must be the requester (404 to users, 403 to staff)."""
    user = requesting_user()
    if user.username.lower() != username.lower():
        if is_global_staff(user):
            raise detail_error(403, PERMISSION_DENIED)
        raise detail_error(404, NOT_FOUND)
    return user


def _subscription_id(course_id: str) -> str:
    """Open edX's ``CourseOverview.clean_id(padding_char='_')``."""
    encoded = base64.b32encode(course_id.encode()).decode().replace("=", "_")
    return "course_" + encoded


def _start(overview: CourseOverview) -> tuple[str | None, str | None, str]:
    start = overview.start or DEFAULT_START
    if overview.advertised_start:
        return drf_datetime(start), overview.advertised_start, "string"
    if start != DEFAULT_START:
        return drf_datetime(start), start.strftime(SHORT_DATE), "timestamp"
    return drf_datetime(start), None, "empty"


def _access(user: Any, overview: CourseOverview, now: datetime) -> dict[str, Any]:
    """Open edX's ``has_access(user, 'load_mobile', course).to_json()`` (start date; staff always)."""
    start = overview.start or DEFAULT_START
    if is_global_staff(user) or start <= now:
        return access_json()
    return not_started(start)


def _discussion_url(course_id: str) -> str | None:
    """Open edX's ``discussion_url``: the discussion API's course endpoint, when a forums plugin serves it."""
    path = f"/api/discussion/v1/courses/{course_id}"
    try:
        current_app.url_map.bind("localhost").match(path, method="GET")
    except RequestRedirect:
        pass
    except HTTPException:
        return None
    return absolute(path)


def _course(user: Any, overview: CourseOverview, version: str, now: datetime) -> dict[str, Any]:
    start, start_display, start_type = _start(overview)
    image = overview.course_image_url or None
    base = f"/api/mobile/{version}/course_info/{overview.id}"
    return {
        "id": overview.id,
        "name": overview.display_name,
        "number": overview.display_number,
        "org": overview.display_org,
        "org_logo": None,
        "start": start,
        "start_display": start_display,
        "start_type": start_type,
        "end": drf_datetime(overview.end),
        "dynamic_upgrade_deadline": None,
        "subscription_id": _subscription_id(overview.id),
        "courseware_access": _access(user, overview, now),
        "media": {"course_image": {"uri": image, "name": "Course Image"}},
        "course_image": image,
        "course_about": absolute(about_url(overview.id)),
        "course_sharing_utm_parameters": dict(SHARING_UTM),
        "course_updates": absolute(base + "/updates"),
        "course_handouts": absolute(base + "/handouts"),
        "discussion_url": _discussion_url(overview.id),
        "video_outline": None,
        "is_self_paced": overview.self_paced,
    }


def _mode(mode: CourseMode) -> dict[str, Any]:
    return {"slug": mode.slug, "sku": None, "android_sku": None, "ios_sku": None, "min_price": mode.min_price}


def _enrollment(user: Any, enrollment: Enrollment, overview: CourseOverview, version: str, now: datetime,
                certificate: Any, modes: list[CourseMode]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if version != V05:
        body["audit_access_expires"] = None
    body.update({
        "created": drf_datetime(enrollment.created),
        "mode": enrollment.mode,
        "is_active": enrollment.is_active,
        "course": _course(user, overview, version, now),
        "certificate": {"url": absolute(certificate.download_url)}
        if certificate is not None and certificate.download_url else {},
    })
    if version != V05:
        body["course_modes"] = [_mode(mode) for mode in modes]
    return body


def _course_usage(course_id: str) -> str:
    return str(CourseKey.from_string(course_id).make_usage_key("course", "course"))


def _primary_extras(user: Any, course_id: str, now: datetime) -> dict[str, Any]:
    """v4's ``CourseEnrollmentSerializerModifiedForPrimary`` fields, from the learner's outline."""
    outline = outline_for(user, course_id, now=now)
    subsections = [sub for section in (outline.sections if outline else []) for sub in section.subsections]
    graded = [sub for sub in subsections if sub.graded]
    progress = {"total_assignments_count": len(graded),
                "assignments_completed": sum(1 for sub in graded if sub.progress.complete)}
    future: list[dict[str, Any]] = []
    past: list[dict[str, Any]] = []
    for sub in graded:
        if sub.due is None:
            continue
        item = {"assignment_type": sub.format or None, "complete": sub.progress.complete,
                "date": drf_datetime(sub.due), "date_type": "assignment-due-date", "description": "",
                "learner_has_access": True, "link": absolute(sub.url), "link_text": "", "title": sub.display_name,
                "extra_info": None, "first_component_block_id": sub.units[0].usage_id if sub.units else ""}
        (future if sub.due > now else past).append(item)
    status = None
    last_unit = resume_block(user.id, course_id)
    if last_unit is not None and outline is not None:
        for section in outline.sections:
            for sub in section.subsections:
                for unit in sub.units:
                    if unit.usage_id == last_unit:
                        status = {"last_visited_module_id": sub.usage_id,
                                  "last_visited_module_path": [_course_usage(course_id), section.usage_id,
                                                               sub.usage_id],
                                  "last_visited_block_id": unit.usage_id,
                                  "last_visited_unit_display_name": unit.display_name}
    return {"course_status": status, "course_progress": progress,
            "course_assignments": {"future_assignments": future, "past_assignments": past}}


def _user_timezone(user: Any) -> str:
    return preferences.get_preference(user.id, preferences.TIME_ZONE) or current_kampus().settings.default_timezone


def mobile_available_for(user: Any, overview: CourseOverview, holdings: list[tuple[str, str, str]]) -> bool:
    """Open edX's ``is_mobile_available_for_user``: the course is ``mobile_available``, or ``user`` is global
    staff, course staff (a role holding ``course.view_staff``) or a beta tester of it (``holdings``: the
    user's roles, :func:`course_roles_held`)."""
    if overview.mobile_available or is_global_staff(user):
        return True
    roles = permission_table().get("course.view_staff", set()) | {BETA_TESTER}
    return any(holds_role(holdings, overview.id, role) for role in roles)


def _denied(error_code: str, developer_message: str, user_message: str) -> RestError:
    """A 404 with Open edX's ``AccessError.to_json()``, as ``mobile_course_access`` answers."""
    return RestError(404, {"has_access": False, "error_code": error_code, "developer_message": developer_message,
                           "user_message": user_message, "additional_context_user_message": None,
                           "user_fragment": None})


def _enrolled_or_staff(user: Any, course_id: str) -> None:
    """Open edX's ``mobile_course_access``: the course exists; course staff always pass; others need
    ``load_mobile`` (the course has started, it is available on mobile to them) and an enrollment."""
    overview = course_overview(course_id)
    if overview is None:
        raise detail_error(404, NOT_FOUND)
    access = course_access(user, course_id)
    if access is None:
        raise detail_error(404, NOT_FOUND)
    if access.is_staff or is_global_staff(user):
        return
    state = _access(user, overview, utcnow())
    if not state["has_access"]:
        raise RestError(404, state)
    if not (overview.mobile_available or access.is_beta_tester):
        raise _denied("mobile_unavailable", "Course is not available on mobile for this user",
                      "You do not have access to this course on a mobile device")
    if not access.is_enrolled:
        message = "User is not enrolled in the course."
        raise _denied("not_enrolled", message, message)


# -- views --------------------------------------------------------------------------------------------------


@bp.get("/api/mobile/<api_version>/my_user_info")
@mobile_api.doc(resp={302: None, 401: None, 404: None})
def my_user_info(api_version: str) -> Any:
    """Redirect to the signed-in user's ``users/<username>`` (Open edX's ``my_user_info``)."""
    version = _version(api_version)
    user = requesting_user()
    return redirect(absolute(f"/api/mobile/{version}/users/{user.username}"), code=302)


@bp.get("/api/mobile/<api_version>/users/<username>")
@mobile_api.doc(resp={200: MobileUser, 401: None, 403: None, 404: None})
def user_detail(api_version: str, username: str) -> Any:
    """The signed-in user (Open edX's ``UserDetail``)."""
    version = _version(api_version)
    user = _owner(username)
    return json_answer({
        "id": user.id, "username": user.username, "email": user.email, "name": user.name,
        "course_enrollments": absolute(f"/api/mobile/{version}/users/{user.username}/course_enrollments/"),
    })


@bp.get("/api/mobile/<api_version>/users/<username>/course_enrollments/")
@mobile_api.doc(query=EnrollmentsQuery, resp={200: EnrollmentList, 401: None, 403: None, 404: None})
def course_enrollments(api_version: str, username: str) -> Any:
    """The user's enrollments (Open edX's ``UserCourseEnrollmentsList``; the shape depends on the version)."""
    version = _version(api_version)
    user = _owner(username)
    now = utcnow().astimezone(UTC)
    org = (request.args.get("org") or "").lower()
    active = sorted(enrollments_of(user.id), key=lambda item: item.created, reverse=True)
    overviews = course_overviews([item.course_id for item in active])
    listed = [item for item in active if item.course_id in overviews
              and (not org or overviews[item.course_id].org.lower() == org)]
    if any(not overviews[item.course_id].mobile_available for item in listed):
        holdings = course_roles_held(user)
        listed = [item for item in listed if mobile_available_for(user, overviews[item.course_id], holdings)]
    primary = listed[0] if version == V4 and listed else None
    if primary is not None:
        listed = listed[1:]
    if version in (V3, V4):
        size, most = (V4_PAGE_SIZE, V4_MAX_PAGE_SIZE) if version == V4 else (V3_PAGE_SIZE, V3_MAX_PAGE_SIZE)
        window = page_window(len(listed), request.args.get("page"), request.args.get("page_size"),
                             default_size=size, max_size=most, error=lambda message: detail_error(404, message))
        shown = window.slice(listed)
    else:
        window, shown = None, listed
    wanted = [item.course_id for item in shown] + ([primary.course_id] if primary else [])
    certificates = certificate_statuses(user.id, wanted) if wanted else {}
    modes = course_modes_for(wanted) if wanted and version != V05 else {}

    def render(item: Enrollment) -> dict[str, Any]:
        return _enrollment(user, item, overviews[item.course_id], version, now, certificates.get(item.course_id),
                           modes.get(item.course_id, []))
    results = [render(item) for item in shown]
    if version in (V05, V1):
        return json_answer(results)
    body: dict[str, Any] = {"configs": {}, "user_timezone": _user_timezone(user),
                            "enrollments": drf_page(results, window) if window is not None else results}
    if primary is not None:
        body["primary"] = {**render(primary), **_primary_extras(user, primary.course_id, now)}
    return json_answer(body)


@bp.get("/api/mobile/<api_version>/course_info/<path:course_id>/updates")
@mobile_api.doc(resp={200: CourseUpdates, 401: None, 404: None})
def updates(api_version: str, course_id: str) -> Any:
    """The course's updates, newest first (Open edX's ``CourseUpdatesList``)."""
    _version(api_version)
    user = requesting_user()
    course_id = parse_course_id(course_id, error=lambda value: detail_error(404, NOT_FOUND))
    _enrolled_or_staff(user, course_id)
    return json_answer([{"id": update.id, "date": update.date_text, "content": update.content, "status": "visible"}
                        for update in course_updates(course_id)])


@bp.get("/api/mobile/<api_version>/course_info/<path:course_id>/handouts")
@mobile_api.doc(resp={200: Handouts, 401: None, 404: None})
def handouts(api_version: str, course_id: str) -> Any:
    """The course's handouts (Open edX's ``CourseHandoutsList``): ``null`` when there are none."""
    _version(api_version)
    user = requesting_user()
    course_id = parse_course_id(course_id, error=lambda value: detail_error(404, NOT_FOUND))
    _enrolled_or_staff(user, course_id)
    return json_answer({"handouts_html": course_handouts(course_id) or None})
