"""Open edX's grades REST API (``lms/djangoapps/grades/rest_api/v1``) at its paths, in its shapes.

* ``GET /api/grades/v1/courses/<course_id>/`` and ``GET /api/grades/v1/courses/?course_id=``
  (``CourseGradesView``): with ``username``, a one-item list ``[{"username", "email", "course_id",
  "passed", "percent", "letter_grade"}]`` (a learner may ask for their own only, staff for anyone); without,
  every active enrollment's grade, paged as DRF's ``CursorPagination`` (``{"next", "previous",
  "results"}``, 50 a page, ``page_size``), for staff. ``email`` is given only for the ``masters`` track, as
  Open edX does.
* ``GET /api/grades/v1/gradebook/<course_id>/`` (``GradebookView``, course staff): per learner
  ``user_id``, ``username``, ``full_name``, ``email``, ``percent`` and ``section_breakdown`` (one entry per
  graded subsection: ``attempted``, ``category``, ``label``, ``module_id``, ``percent``, ``score_earned``,
  ``score_possible``, ``subsection_name``); filters ``username_contains`` and ``user_contains``; cursor
  pages with ``total_users_count`` and ``filtered_users_count``. ``?username=`` answers one entry.

Errors are Open edX's ``DeveloperErrorViewMixin`` bodies (``developer_message``, ``error_code``). Who may
read other learners' grades: global staff (Open edX's ``IsStaff``) and, in Kampus, the course's staff
(``course.view_staff``). A list page costs a constant number of queries: the enrollments with their
accounts (one), the learners' scores (one), the counts; grades are computed in memory from the cached
course structure (as learners see the course).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import UsageKey
from pydantic import BaseModel, Field, RootModel
from werkzeug.wrappers import Response

from kampus import db
from kampus.api_docs import ApiSection
from kampus.identity.models import User
from kampus.identity.permissions import has_permission
from kampus_lms.catalog.api import course_overview
from kampus_lms.enrollment.api import (
    EnrolledLearner,
    count_enrolled_matching,
    enrolled_learners_page,
    get_enrollment,
)
from kampus_lms.grades.api import (
    OVERRIDE_GRADES,
    CourseGrade,
    NoGrades,
    OverrideError,
    apply_overrides,
    clean_request,
    course_grade,
    course_grades_of,
    subsection_grade_detail,
)
from kampus_lms.rest.common import (
    RestError,
    course_key_or_none,
    cursor_url,
    decode_cursor,
    install_error_handler,
    is_course_staff,
    json_answer,
    page_size_of,
    requesting_user,
    user_by_username,
    without_nul,
)

bp = Blueprint("lms_rest_grades", __name__)
install_error_handler(bp)

grades_api = ApiSection("grades", "Course grades and the gradebook (Open edX's grades API).", errors="openedx")

#: ``CourseEnrollmentPagination``'s page size, and the largest Kampus serves.
PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000


class GradesQuery(BaseModel):
    course_id: str | None = Field(None, description="The course (when it is not in the path).")
    username: str | None = Field(None, description="One learner's grade (a learner may ask for their own only).")
    cursor: str | None = Field(None, description="The page's position (from `next` / `previous`).")
    page_size: str | None = Field(None, description="Grades per page (default 50).")


class UserGrade(BaseModel):
    """Open edX's ``_serialize_user_grade``."""

    username: str
    email: str
    course_id: str
    passed: bool
    percent: float
    letter_grade: str | None


class GradePage(BaseModel):
    next: str | None
    previous: str | None
    results: list[UserGrade]


class GradesAnswer(RootModel[GradePage | list[UserGrade]]):
    """A page of grades, or (with ``username``) a one-item list."""


class GradebookQuery(BaseModel):
    username: str | None = Field(None, description="One learner's entry.")
    username_contains: str | None = Field(None, description="Learners whose user name holds this (any case).")
    user_contains: str | None = Field(None, description="Learners whose user name or e-mail address holds this.")
    cursor: str | None = Field(None, description="The page's position (from `next` / `previous`).")
    page_size: str | None = Field(None, description="Entries per page (default 50).")


class SectionBreakdown(BaseModel):
    """Open edX's ``SectionBreakdownSerializer``."""

    attempted: bool
    category: str
    label: str
    module_id: str
    percent: float
    score_earned: float
    score_possible: float
    subsection_name: str


class GradebookEntry(BaseModel):
    """Open edX's ``StudentGradebookEntrySerializer``."""

    user_id: int
    username: str
    full_name: str
    email: str
    percent: float
    section_breakdown: list[SectionBreakdown]


class GradebookPage(BaseModel):
    next: str | None
    previous: str | None
    results: list[GradebookEntry]
    total_users_count: int
    filtered_users_count: int


class GradebookAnswer(RootModel[GradebookPage | GradebookEntry]):
    """A page of entries, or (with ``username``) one entry."""


class DeveloperError(BaseModel):
    developer_message: str
    error_code: str | None = None


def api_error(status: int, message: str, code: str) -> RestError:
    """``DeveloperErrorViewMixin.api_error``: ``{"developer_message", "error_code"}``."""
    return RestError(status, {"developer_message": message, "error_code": code})


def _course_id(raw: str | None) -> str:
    """``verify_course_exists``: the course id, or 404 for one that does not parse or is not published."""
    key = course_key_or_none(raw)
    if key is None:
        raise api_error(404, "The provided course key cannot be parsed.", "invalid_course_key")
    if course_overview(str(key)) is None:
        raise api_error(404, f"Requested grade for unknown course {key}", "course_does_not_exist")
    return str(key)


def _email(user: Any, mode: str) -> str:
    """Open edX gives the e-mail address for the masters track only."""
    return str(user.email) if mode == "masters" else ""


def user_grade(user: Any, course_id: str, grade: CourseGrade, mode: str) -> dict[str, Any]:
    """Open edX's ``_serialize_user_grade``."""
    return {"username": user.username, "email": _email(user, mode), "course_id": course_id,
            "passed": bool(grade.passed), "percent": float(grade.percent), "letter_grade": grade.letter_grade}


def _single_user(course_id: str, username: str) -> tuple[Any, str]:
    """``_get_user_or_raise``: the account and its enrollment mode, or Open edX's 404s."""
    user = user_by_username(username)
    if user is None:
        raise api_error(404, "The user matching the requested username does not exist.", "user_does_not_exist")
    enrollment = get_enrollment(user.id, course_id)
    if enrollment is None:
        raise api_error(404, "The user matching the requested username is not enrolled in this course",
                        "user_not_enrolled")
    return user, enrollment.mode


def _may_read(viewer: Any, course_id: str, username: str | None) -> None:
    """``IsStaff | IsUserInUrl``: the learner named in ``username`` themselves, or staff (a learner must
    name themselves: without ``username`` only staff may list)."""
    if username and username.lower() == str(viewer.username).lower():
        return
    if not is_course_staff(viewer, course_id):
        raise RestError(403, {"developer_message": "You do not have permission to perform this action."})


def _published_grades(course_id: str, learners: list[EnrolledLearner]) -> dict[int, CourseGrade]:
    try:
        return course_grades_of(course_id, [learner.user for learner in learners]) if learners else {}
    except NoGrades:
        raise api_error(404, f"Requested grade for unknown course {course_id}", "course_does_not_exist") from None


def _cursor_page(course_id: str, *, username_contains: str | None = None, user_contains: str | None = None) -> tuple[
        list[EnrolledLearner], str | None, str | None]:
    """One cursor page of the course's active enrollments and the links to its neighbours."""
    size = page_size_of(request.args.get("page_size"), PAGE_SIZE, MAX_PAGE_SIZE)
    position = decode_cursor(request.args.get("cursor"),
                             error=lambda message: RestError(404, {"developer_message": message}))
    before = after = None
    if position is not None:
        try:
            mark = int(position.get("p", 0))
        except (TypeError, ValueError):
            raise RestError(404, {"developer_message": "Invalid cursor"}) from None
        if position.get("r"):
            before = mark
        else:
            after = mark
    page, more = enrolled_learners_page(course_id, after_id=after, before_id=before, limit=size,
                                        username_contains=username_contains, user_contains=user_contains)
    if not page:
        return page, None, None
    has_next = more if before is None else True
    has_previous = (after is not None) if before is None else more
    next_url = cursor_url({"p": page[-1].enrollment_id}) if has_next else None
    previous_url = cursor_url({"p": page[0].enrollment_id, "r": 1}) if has_previous else None
    return page, next_url, previous_url


@bp.get("/api/grades/v1/courses/")
@bp.get("/api/grades/v1/courses/<course_id>/")
@grades_api.doc(query=GradesQuery, resp={200: GradesAnswer, 401: DeveloperError, 403: DeveloperError,
                                         404: DeveloperError}, scopes=("grades:read",))
def course_grades(course_id: str | None = None) -> Response:
    """Course grades: one learner's (``username``) as a one-item list, or a page of every enrolled learner's
    (staff)."""
    viewer = requesting_user("developer")
    course_id = _course_id(course_id or request.args.get("course_id"))
    username = request.args.get("username")
    _may_read(viewer, course_id, username)
    if username:
        user, mode = _single_user(course_id, username)
        try:
            grade = course_grade(user.id, course_id)
        except NoGrades:
            raise api_error(404, f"Requested grade for unknown course {course_id}", "course_does_not_exist") from None
        return json_answer([user_grade(user, course_id, grade, mode)])
    page, next_url, previous_url = _cursor_page(course_id)
    grades = _published_grades(course_id, page)
    return json_answer({"next": next_url, "previous": previous_url,
                        "results": [user_grade(learner.user, course_id, grades[learner.user.id], learner.mode)
                                    for learner in page]})


def section_breakdown(grade: CourseGrade) -> list[dict[str, Any]]:
    """``GradebookView._section_breakdown``: the graded subsections, scores only once attempted."""
    breakdown = []
    for sub in grade.subsections:
        if not sub.graded:
            continue
        attempted = sub.graded_total.first_attempted is not None
        breakdown.append({
            "attempted": attempted, "category": sub.format, "label": sub.label, "module_id": sub.usage_id,
            "percent": float(sub.percent_graded),
            "score_earned": float(sub.graded_total.earned) if attempted else 0.0,
            "score_possible": float(sub.graded_total.possible) if attempted else 0.0,
            "subsection_name": sub.display_name,
        })
    return breakdown


def gradebook_entry(user: Any, grade: CourseGrade, mode: str) -> dict[str, Any]:
    """``GradebookView._gradebook_entry`` as its serializer keeps it."""
    return {"user_id": int(user.id), "username": user.username, "full_name": user.name or "",
            "email": _email(user, mode), "percent": float(grade.percent),
            "section_breakdown": section_breakdown(grade)}


@bp.get("/api/grades/v1/gradebook/<course_id>/")
@grades_api.doc(query=GradebookQuery, resp={200: GradebookAnswer, 401: DeveloperError, 403: DeveloperError,
                                            404: DeveloperError})
def gradebook(course_id: str) -> Response:
    """The gradebook of a course (course staff): every learner's grade by graded subsection, or one's."""
    viewer = requesting_user("developer")
    course_id = _course_id(course_id)
    if not is_course_staff(viewer, course_id):
        raise api_error(403, "The requesting user does not have course author permissions.", "user_permissions")
    username = request.args.get("username")
    if username:
        user, mode = _single_user(course_id, username)
        grade = _published_grades(course_id, [EnrolledLearner(0, user, mode)])[user.id]
        return json_answer(gradebook_entry(user, grade, mode))
    name_part = without_nul(request.args.get("username_contains")) or None
    user_part = without_nul(request.args.get("user_contains")) or None
    page, next_url, previous_url = _cursor_page(course_id, username_contains=name_part, user_contains=user_part)
    grades = _published_grades(course_id, page)
    total = count_enrolled_matching(course_id)
    filtered = count_enrolled_matching(course_id, name_part, user_part) if (name_part or user_part) else total
    return json_answer({
        "next": next_url, "previous": previous_url,
        "results": [gradebook_entry(learner.user, grades[learner.user.id], learner.mode) for learner in page],
        "total_users_count": total, "filtered_users_count": filtered,
    })


# -- writing the gradebook: Open edX's GradebookBulkUpdateView and SubsectionGradeView ---------------------------


class OverrideGrade(BaseModel):
    earned_all_override: float | None = None
    possible_all_override: float | None = None
    earned_graded_override: float | None = None
    possible_graded_override: float | None = None
    comment: str | None = Field(None, description="Why (kept in the override's history; 300 characters).")


class BulkUpdateItem(BaseModel):
    user_id: int
    usage_id: str = Field(description="The subsection's usage id.")
    grade: OverrideGrade


class BulkUpdateBody(RootModel[list[BulkUpdateItem]]):
    """The overrides to write: all of them, or none when a row is invalid."""


class BulkUpdateResult(BaseModel):
    user_id: Any
    usage_id: Any
    success: bool
    reason: str | None


class BulkUpdateAnswer(RootModel[list[BulkUpdateResult]]):
    """One result per row, in order (202 when every row was written, 422 when none was)."""


class SubsectionQuery(BaseModel):
    user_id: str = Field(description="The learner's id.")


class OriginalGrade(BaseModel):
    earned_all: float
    possible_all: float
    earned_graded: float
    possible_graded: float


class OverrideValues(BaseModel):
    earned_all_override: float | None
    possible_all_override: float | None
    earned_graded_override: float | None
    possible_graded_override: float | None


class HistoryEntry(BaseModel):
    user: str
    comments: str
    created: str | None
    feature: str
    action: str
    override_id: int | None
    earned_all_override: float | None
    possible_all_override: float | None
    earned_graded_override: float | None
    possible_graded_override: float | None
    previous_earned_graded: float | None
    previous_possible_graded: float | None


class SubsectionGradeAnswer(BaseModel):
    """Open edX's ``SubsectionGradeResponseSerializer``."""

    subsection_id: str
    user_id: int
    course_id: str
    original_grade: OriginalGrade
    override: OverrideValues | None
    history: list[HistoryEntry]


@bp.post("/api/grades/v1/gradebook/<course_id>/bulk-update")
@grades_api.doc(json=BulkUpdateBody, validate=False,
                resp={202: BulkUpdateAnswer, 400: DeveloperError, 401: DeveloperError, 403: DeveloperError,
                      404: DeveloperError, 422: BulkUpdateAnswer})
def gradebook_bulk_update(course_id: str) -> Response:
    """Override learners' subsection grades, each with a reason: every row is checked first and all are
    written in one transaction, or none (422 with each row's reason); the learners' grades follow."""
    viewer = requesting_user("developer")
    course_id = _course_id(course_id)
    if not has_permission(viewer, OVERRIDE_GRADES, course_id):
        raise api_error(403, "The requesting user does not have permission to override grades.", "user_permissions")
    body = request.get_json(silent=True)
    if not isinstance(body, list) or not body:
        raise api_error(400, "The body must be a non-empty JSON list of overrides.", "invalid_body")
    if len(body) > 10000:
        raise api_error(400, "At most 10000 overrides at once.", "too_many")
    requests: list[Any] = []
    for item in body:
        if not isinstance(item, dict) or not isinstance(item.get("grade"), dict):
            requests.append("each row needs user_id, usage_id and a grade object")
            continue
        grade = item["grade"]
        requests.append(clean_request(item.get("user_id"), item.get("usage_id"), grade, grade.get("comment")))
    try:
        apply_overrides(course_id, requests, by_user_id=int(viewer.id))
    except OverrideError as err:
        results = [{"user_id": item.get("user_id") if isinstance(item, dict) else None,
                    "usage_id": item.get("usage_id") if isinstance(item, dict) else None, "success": False,
                    "reason": error or "not applied: another row of the request is invalid"}
                   for item, error in zip(body, err.errors, strict=True)]
        return json_answer(results, 422)
    return json_answer([{"user_id": item["user_id"], "usage_id": item["usage_id"], "success": True, "reason": None}
                        for item in body], 202)


def _history_entry(entry: dict[str, Any]) -> dict[str, Any]:
    created = entry["created"]
    return {"user": entry["history_username"], "comments": entry["comments"],
            "created": created.isoformat() if created else None, "feature": entry["feature"],
            "action": entry["action"], "override_id": entry["override_id"],
            **{name: entry[name] for name in ("earned_all_override", "possible_all_override",
                                              "earned_graded_override", "possible_graded_override",
                                              "previous_earned_graded", "previous_possible_graded")}}


@bp.get("/api/grades/v1/subsection/<subsection_id>/")
@grades_api.doc(query=SubsectionQuery, validate=False,
                resp={200: SubsectionGradeAnswer, 400: DeveloperError, 401: DeveloperError, 403: DeveloperError,
                      404: DeveloperError})
def subsection_grade(subsection_id: str) -> Response:
    """A learner's grade in one subsection: as computed, its override and the override's history (course staff)."""
    viewer = requesting_user("developer")
    try:
        usage_key = UsageKey.from_string(subsection_id)
    except InvalidKeyError:
        raise api_error(404, "Invalid UsageKey", "invalid_usage_key") from None
    course_id = _course_id(str(usage_key.course_key))
    if not is_course_staff(viewer, course_id):
        raise api_error(403, "The requesting user does not have course author permissions.", "user_permissions")
    try:
        user_id = int(request.args.get("user_id", ""))
    except ValueError:
        raise api_error(400, "user_id must be an integer.", "invalid_user_id") from None
    if not 0 < user_id < 2**31:
        raise api_error(404, "The user does not exist or is not enrolled in the course.", "user_does_not_exist")
    user = db.session().get(User, user_id)
    if user is None or get_enrollment(user_id, course_id) is None:
        raise api_error(404, "The user does not exist or is not enrolled in the course.", "user_does_not_exist")
    try:
        detail = subsection_grade_detail(course_id, user, str(usage_key))
    except LookupError:
        raise api_error(404, f"{usage_key} is not a subsection of the course.", "subsection_does_not_exist") from None
    return json_answer({"subsection_id": str(usage_key), "user_id": user_id, "course_id": course_id,
                        "original_grade": detail["original_grade"], "override": detail["override"],
                        "history": [_history_entry(entry) for entry in detail["history"]]})
