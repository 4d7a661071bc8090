"""Open edX's enrollment API (``openedx/core/djangoapps/enrollments``) at its paths, in its shapes.

* ``GET /api/enrollment/v1/enrollment``: the active enrollments of the user (``?user=`` another user's:
  all of them for global staff, those in the requester's courses for course staff), oldest first, not
  paginated.
* ``POST /api/enrollment/v1/enrollment``: enroll ``user`` (default: the requester; another user only
  for global staff, else 404) in ``course_details.course_id`` in ``mode`` (learners: audit or honor,
  else 403); global staff may change the mode or ``is_active`` of an enrollment. 200 with the
  enrollment; 400 ``{"message"}`` as Open edX words it (no course, closed, full, invitation only, bad
  mode, bad ``is_active``); 406 for an unknown user.
* ``GET /api/enrollment/v1/enrollment/<username>,<course_id>`` and ``.../enrollment/<course_id>``: one
  enrollment (``null`` when there is none); another user's for global staff only (404).
* ``GET /api/enrollment/v1/enrollments``: global staff; every enrollment filtered by ``course_id``
  (or ``course_ids``) and ``username`` (or ``usernames``, comma-separated), newest first, with DRF's
  cursor pagination (``{"next", "previous", "results"}``, 100 a page).
* ``GET /api/enrollment/v1/course/<course_id>``: the course's enrollment details and modes (no sign-in);
  ``include_expired=1`` adds expired modes.

Enrollments are written through :mod:`kampus_lms.enrollment.api`, which emits Open edX's enrollment
events. Open edX's unenrollment and roles endpoints are not served.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, request
from pydantic import BaseModel, Field, RootModel

from kampus.api_docs import ApiSection, validated
from kampus.identity.models import User
from kampus_lms.catalog.api import CourseOverview, course_overview, course_overviews
from kampus_lms.enrollment.api import (
    AUDIT,
    HONOR,
    CourseMode,
    Enrollment,
    EnrollmentError,
    course_modes_for,
    enroll,
    enrollments_of,
    get_enrollment,
    list_enrollments,
    unenroll,
)
from kampus_lms.rest.common import (
    PERMISSION_DENIED,
    RestError,
    comma_list,
    course_key_or_none,
    course_roles_held,
    cursor_url,
    decode_cursor,
    detail_error,
    developer_error,
    drf_datetime,
    field_errors,
    holds_role,
    install_error_handler,
    is_global_staff,
    json_answer,
    message_error,
    requesting_user,
    user_by_username,
    usernames_by_id,
    users_by_username,
)

bp = Blueprint("rest_enrollments", __name__)
install_error_handler(bp)

enrollment_api = ApiSection("enrollment", "Open edX's enrollment API: enrollments, enrolling, a course's modes.",
                            errors="openedx")

#: Open edX's ``DEFAULT_START`` (a course without a start has not started).
DEFAULT_START = datetime(2030, 1, 1, tzinfo=UTC)
#: Enrollment attributes a mode needs (Open edX's ``REQUIRED_ATTRIBUTES``).
REQUIRED_ATTRIBUTES = {"credit": ["credit:provider_id"]}
#: DRF's ``CursorPagination.page_size`` of the enrollments list.
CURSOR_PAGE_SIZE = 100
#: Most user names ``/enrollments`` takes at once (Open edX's ``MAX_USERNAME_COUNT``).
MAX_USERNAMES = 100


# -- the document's models ------------------------------------------------------------------------------------


class ModeJson(BaseModel):
    """Open edX's ``ModeSerializer``."""

    slug: str
    name: str
    min_price: int
    suggested_prices: str
    currency: str
    expiration_datetime: str | None
    description: str | None
    sku: str | None
    bulk_sku: str | None


class EnrollmentCourseJson(BaseModel):
    """Open edX's enrollment ``CourseSerializer``."""

    course_id: str
    course_name: str
    enrollment_start: str | None
    enrollment_end: str | None
    course_start: str | None
    course_end: str | None
    invite_only: bool
    course_modes: list[ModeJson]
    pacing_type: str


class EnrollmentJson(BaseModel):
    """Open edX's ``CourseEnrollmentSerializer``."""

    created: str | None
    mode: str
    is_active: bool
    course_details: EnrollmentCourseJson
    user: str


class EnrollmentList(RootModel[list[EnrollmentJson]]):
    pass


class MaybeEnrollment(RootModel[EnrollmentJson | None]):
    """The enrollment, or ``null`` when the user has none in the course."""


class EnrollmentListQuery(BaseModel):
    user: str | None = Field(None, description="Whose enrollments (default: the requesting user's).")


class CourseDetailsQuery(BaseModel):
    include_expired: str | None = Field(None, description="Non-empty: include expired modes.")


class CourseRef(BaseModel):
    course_id: str = Field(description="The course to enroll in.")


class EnrollmentAttribute(BaseModel):
    namespace: str
    name: str
    value: str


class EnrollmentRequest(BaseModel):
    """The body of ``POST /api/enrollment/v1/enrollment`` (checked by the view, with Open edX's messages)."""

    user: str | None = Field(None, description="Whom to enroll (default: the requesting user; others: staff).")
    mode: str | None = Field(None, description="The mode (learners: audit or honor).")
    is_active: bool | None = Field(None, description="false deactivates (staff).")
    course_details: CourseRef
    enrollment_attributes: list[EnrollmentAttribute] | None = None
    email_opt_in: bool | None = None


class MessageError(BaseModel):
    """The enrollment API's error: ``message`` (and, for a bad mode, the course's ``course_details``)."""

    message: str
    model_config = {"extra": "allow"}


class DetailError(BaseModel):
    """DRF's error body."""

    detail: str | None = None
    developer_message: str | None = None
    model_config = {"extra": "allow"}


class EnrollmentsQuery(BaseModel):
    course_id: str | None = Field(None, description="Only this course's enrollments.")
    course_ids: str | None = Field(None, description="Comma-separated courses.")
    username: str | None = Field(None, description="Comma-separated user names.")
    usernames: str | None = Field(None, description="Comma-separated user names (same as username).")
    cursor: str | None = Field(None, description="The position of the page (from next/previous).")


class ListedEnrollment(BaseModel):
    """Open edX's ``CourseEnrollmentsApiListSerializer``."""

    created: str | None
    mode: str
    is_active: bool
    user: str
    course_id: str


class EnrollmentsPage(BaseModel):
    next: str | None
    previous: str | None
    results: list[ListedEnrollment]


# -- serializing ----------------------------------------------------------------------------------------------


def mode_json(mode: CourseMode) -> dict[str, Any]:
    """A mode as Open edX's ``ModeSerializer`` renders its ``Mode`` tuple."""
    return {"slug": mode.slug, "name": mode.name, "min_price": mode.min_price, "suggested_prices": "",
            "currency": mode.currency, "expiration_datetime": drf_datetime(mode.expiration),
            "description": mode.description or None, "sku": None, "bulk_sku": None}


def _encoder_datetime(value: datetime | None) -> str | None:
    """DRF's JSON encoder of a raw datetime (fields with ``format=None``): milliseconds, UTC as ``Z``."""
    text = drf_datetime(value)
    if text is None or value is None or not value.microsecond:
        return text
    return text[:23] + text[26:]


def course_details_json(overview: CourseOverview, modes: list[CourseMode]) -> dict[str, Any]:
    """A course as the enrollment API's ``CourseSerializer`` renders it."""
    return {
        "course_id": overview.id,
        "course_name": overview.display_name,
        "enrollment_start": _encoder_datetime(overview.enrollment_start),
        "enrollment_end": _encoder_datetime(overview.enrollment_end),
        "course_start": _encoder_datetime(overview.start or DEFAULT_START),
        "course_end": _encoder_datetime(overview.end),
        "invite_only": overview.invitation_only,
        "course_modes": [mode_json(mode) for mode in modes],
        "pacing_type": "Self Paced" if overview.self_paced else "Instructor Paced",
    }


def enrollment_json(enrollment: Enrollment, username: str, overview: CourseOverview,
                    modes: list[CourseMode]) -> dict[str, Any]:
    """An enrollment as Open edX's ``CourseEnrollmentSerializer`` renders it."""
    return {"created": drf_datetime(enrollment.created), "mode": enrollment.mode, "is_active": enrollment.is_active,
            "course_details": course_details_json(overview, modes), "user": username}


def enrollments_json(enrollments: list[Enrollment], username: str) -> list[dict[str, Any]]:
    """Enrollments of one user with their courses and modes: two queries whatever their number; enrollments in
    courses that are no longer published are left out (as Open edX leaves out those without an overview)."""
    overviews = course_overviews([item.course_id for item in enrollments])
    modes = course_modes_for(list(overviews))
    return [enrollment_json(item, username, overviews[item.course_id], modes[item.course_id])
            for item in enrollments if item.course_id in overviews]


def one_enrollment_json(enrollment: Enrollment | None, username: str) -> dict[str, Any] | None:
    """One enrollment's JSON, or ``None`` (no enrollment, or its course is gone)."""
    if enrollment is None:
        return None
    found = enrollments_json([enrollment], username)
    return found[0] if found else None


# -- one enrollment --------------------------------------------------------------------------------------------


def _split_target(target: str) -> tuple[str | None, str]:
    username, comma, course_id = target.partition(",")
    return (username, course_id) if comma else (None, target)


@bp.get("/api/enrollment/v1/enrollment/<target>")
@enrollment_api.doc(resp={200: MaybeEnrollment, 400: MessageError, 401: DetailError, 404: DetailError})
def enrollment_detail(target: str) -> Any:
    """One user's enrollment in a course: ``<username>,<course_id>`` or ``<course_id>`` (Open edX's
    ``EnrollmentView``); ``null`` when they are not enrolled."""
    user = requesting_user()
    username, raw_course_id = _split_target(target)
    key = course_key_or_none(raw_course_id)
    if key is None:
        raise detail_error(404, "Not found.")
    username = username or user.username
    if username != user.username and not is_global_staff(user):
        # Open edX answers 404 rather than 403: nobody learns whether another user's enrollment exists.
        raise detail_error(404, "Not found.")
    target_user = user if username == user.username else user_by_username(username)
    if target_user is None:
        raise message_error(400, f"An error occurred while retrieving enrollments for user '{username}' in "
                                 f"course '{raw_course_id}'")
    return json_answer(one_enrollment_json(get_enrollment(target_user.id, str(key)), target_user.username))


# -- the user's enrollments, and enrolling ------------------------------------------------------------------------


@bp.get("/api/enrollment/v1/enrollment")
@enrollment_api.doc(query=EnrollmentListQuery, resp={200: EnrollmentList, 400: MessageError, 401: DetailError})
def enrollment_list() -> Any:
    """The active enrollments of the user, or of ``?user=`` (Open edX's ``EnrollmentListView``)."""
    user = requesting_user()
    query: EnrollmentListQuery = validated("query")
    username = query.user or user.username
    target = user if username == user.username else user_by_username(username)
    if target is None:
        raise message_error(400, f"An error occurred while retrieving enrollments for user '{username}'")
    enrollments = list(reversed(enrollments_of(target.id, active_only=True)))
    if target.id == user.id or is_global_staff(user):
        return json_answer(enrollments_json(enrollments, target.username))
    # Course staff see the learner's enrollments in their own courses (a course role, not an organization's).
    holdings = course_roles_held(user)
    mine = [item for item in enrollments if holds_role(holdings, item.course_id, "staff", org_wide=False)]
    return json_answer(enrollments_json(mine, target.username))


def _request_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise message_error(400, "The request body must be a JSON object.")
    return body


def _enrollment_refused(error: EnrollmentError, username: str, course_id: str, mode: str | None) -> RestError:
    """Open edX's 400 for a refused enrollment; Kampus's ``error`` object says why in the user's language."""
    if error.code == "not_found":
        body: dict[str, Any] = {"message": f"No course '{course_id}' found for enrollment"}
    elif error.code == "bad_mode":
        overview = course_overview(course_id)
        details = (course_details_json(overview, course_modes_for([course_id])[course_id])
                   if overview is not None else None)
        body = {"message": f"The [{mode}] course mode is expired or otherwise unavailable for course run "
                           f"[{course_id}].", "course_details": details}
    else:  # closed, full, invitation only: Open edX's CourseEnrollmentError
        body = {"message": f"An error occurred while creating the new course enrollment for user '{username}' "
                           f"in course '{course_id}'"}
    body["error"] = {"status": 400, "message": error.message, "code": error.code}
    return RestError(400, body)


@bp.post("/api/enrollment/v1/enrollment")
@enrollment_api.doc(json=EnrollmentRequest, validate=False,
                    resp={200: MaybeEnrollment, 400: MessageError, 401: DetailError, 403: MessageError,
                          404: DetailError, 406: MessageError})
def enrollment_create() -> Any:
    """Enroll a user in a course, or (global staff) change an enrollment's mode or activation
    (Open edX's ``EnrollmentListView.post``)."""
    user = requesting_user()
    body = _request_body()
    username = body.get("user") or user.username
    details = body.get("course_details")
    raw_course_id = details.get("course_id") if isinstance(details, dict) else None
    if not raw_course_id:
        raise message_error(400, "Course ID must be specified to create a new enrollment.")
    key = course_key_or_none(str(raw_course_id))
    if key is None:
        raise message_error(400, f"No course '{raw_course_id}' found for enrollment")
    course_id = str(key)
    mode = body.get("mode")
    staff = is_global_staff(user)
    if not isinstance(username, str) or (username != user.username and not staff):
        raise detail_error(404, "Not found.")
    if mode is not None and not isinstance(mode, str):
        raise message_error(400, f"'{mode}' is not a course mode.")
    if mode not in (AUDIT, HONOR, None) and not staff:
        raise message_error(403, f"User does not have permission to create enrollment with mode [{mode}].")
    target: User | None = user if username == user.username else user_by_username(username)
    if target is None:
        raise message_error(406, f"The user {username} does not exist.")
    is_active = body.get("is_active")
    if is_active is not None and not isinstance(is_active, bool):
        raise message_error(400, f"'{is_active}' is an invalid enrollment activation status.")
    attributes = body.get("enrollment_attributes") or []
    if not isinstance(attributes, list) or not all(isinstance(item, dict) for item in attributes):
        raise message_error(400, "enrollment_attributes must be a list of {namespace, name, value} objects.")
    current = get_enrollment(target.id, course_id)
    mode_changed = current is not None and mode is not None and current.mode != mode
    active_changed = current is not None and is_active is not None and current.is_active != is_active
    try:
        if staff and (mode_changed or active_changed):
            if current is not None and mode_changed and active_changed and not is_active:
                raise message_error(400, f"Enrollment mode mismatch: active mode={current.mode}, requested "
                                         f"mode={mode}. Won't deactivate.")
            given = {f"{item.get('namespace')}:{item.get('name')}" for item in attributes}
            missing = set(REQUIRED_ATTRIBUTES.get(str(mode), [])) - given
            if attributes and missing:
                raise message_error(400, f"Missing enrollment attributes: requested mode={mode} required "
                                         f"attributes={REQUIRED_ATTRIBUTES.get(str(mode))}")
            if is_active is False:
                unenroll(target, course_id)
            else:
                enroll(target, course_id, mode or (current.mode if current else None), check_access=False)
        elif is_active is False:
            if current is not None and current.is_active:
                unenroll(target, course_id)
        else:
            # A learner enrolls themselves under the access rules; staff enrolling someone else need none.
            enroll(target, course_id, mode, check_access=target.id == user.id)
    except EnrollmentError as error:
        raise _enrollment_refused(error, username, course_id, mode) from None
    return json_answer(one_enrollment_json(get_enrollment(target.id, course_id), target.username))


# -- every enrollment (staff) ---------------------------------------------------------------------------------


def _position(cursor: dict[str, Any]) -> tuple[str, tuple[datetime, int]]:
    try:
        direction = str(cursor["d"])
        created = datetime.fromisoformat(str(cursor["c"]))
        row_id = int(cursor["i"])
    except (KeyError, TypeError, ValueError):
        raise developer_error(404, "Invalid cursor") from None
    if direction not in ("n", "p"):
        raise developer_error(404, "Invalid cursor")
    return direction, (created if created.tzinfo else created.replace(tzinfo=UTC), row_id)


def _cursor_at(direction: str, row: tuple[int, Enrollment]) -> dict[str, Any]:
    return {"d": direction, "c": row[1].created.isoformat(), "i": row[0]}


@bp.get("/api/enrollment/v1/enrollments")
@bp.get("/api/enrollment/v1/enrollments/")
@enrollment_api.doc(query=EnrollmentsQuery, resp={200: EnrollmentsPage, 400: DetailError, 401: DetailError,
                                                  403: DetailError, 404: DetailError})
def enrollments_all() -> Any:
    """Every enrollment, filtered by courses and users (Open edX's ``CourseEnrollmentsApiListView``;
    global staff only)."""
    user = requesting_user(body="developer")
    if not is_global_staff(user):
        raise developer_error(403, PERMISSION_DENIED)
    query: EnrollmentsQuery = validated("query")
    raw_courses = comma_list([query.course_id, query.course_ids])
    course_ids = []
    for raw in raw_courses:
        key = course_key_or_none(raw)
        if key is None:
            raise field_errors({"course_id": f"'{raw}' is not a valid course id."})
        course_ids.append(str(key))
    names = comma_list([query.username, query.usernames])
    if len(names) > MAX_USERNAMES:
        raise field_errors({"username": f"Too many usernames in a single request - {len(names)}. "
                                        f"A maximum of {MAX_USERNAMES} is allowed"})
    user_ids = [account.id for account in users_by_username(names).values()] if names else None
    cursor = decode_cursor(query.cursor, error=lambda message: developer_error(404, message))
    direction, position = _position(cursor) if cursor is not None else ("n", None)
    rows = list_enrollments(course_ids=course_ids or None, user_ids=user_ids,
                            after=position if direction == "n" else None,
                            before=position if direction == "p" else None, limit=CURSOR_PAGE_SIZE + 1)
    if direction == "n":
        more = len(rows) > CURSOR_PAGE_SIZE
        rows = rows[:CURSOR_PAGE_SIZE]
        has_next, has_previous = more, position is not None
    else:
        more = len(rows) > CURSOR_PAGE_SIZE
        rows = rows[-CURSOR_PAGE_SIZE:] if more else rows
        has_next, has_previous = True, more
    names_by_id = usernames_by_id(item.user_id for _id, item in rows)
    results = [{"created": drf_datetime(item.created), "mode": item.mode, "is_active": item.is_active,
                "user": names_by_id.get(item.user_id, ""), "course_id": item.course_id} for _id, item in rows]
    next_url = cursor_url(_cursor_at("n", rows[-1])) if has_next and rows else None
    previous_url = cursor_url(_cursor_at("p", rows[0])) if has_previous and rows else None
    if has_previous and not rows and position is not None:
        previous_url = cursor_url({"d": "p", "c": position[0].isoformat(), "i": position[1]})
    return json_answer({"next": next_url, "previous": previous_url, "results": results})


# -- a course's enrollment details ---------------------------------------------------------------------------------


@bp.get("/api/enrollment/v1/course/<course_id>")
@enrollment_api.doc(query=CourseDetailsQuery, public=True,
                    resp={200: EnrollmentCourseJson, 400: MessageError, 404: DetailError})
def course_enrollment_details(course_id: str) -> Any:
    """A course's enrollment window and modes (Open edX's ``EnrollmentCourseDetailView``; no sign-in)."""
    query: CourseDetailsQuery = validated("query")
    key = course_key_or_none(course_id)
    if key is None:
        raise detail_error(404, "Not found.")
    overview = course_overview(str(key))
    if overview is None:
        raise message_error(400, f"No course found for course ID '{course_id}'")
    modes = course_modes_for([overview.id], include_expired=bool(query.include_expired))[overview.id]
    return json_answer(course_details_json(overview, modes))


__all__ = ["bp", "course_details_json", "enrollment_json", "mode_json"]
