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
  ``score_possible``, ``subsection_name``); cursor pages with ``total_users_count`` (active enrollments)
  and ``filtered_users_count`` (those the filters keep). ``?username=`` answers one entry. Open edX's
  filters: ``username_contains``, ``user_contains``, ``cohort_id``, ``enrollment_mode``, ``assignment``
  with ``assignment_grade_min``/``assignment_grade_max``, ``course_grade_min``/``course_grade_max`` and
  ``excluded_course_roles`` (repeatable, or ``all``). Grade bounds are percentages, inclusive, and filter
  the *stored* grades as Open edX's do (:mod:`kampus_lms.grades.filters`): every filter is a condition of
  the page's own query, so cursor pages hold exactly the learners in range. Where Open edX answers a bad
  value with a 500 (a bound that is not a number, an assignment that is not a usage key, a cohort id that
  is not a number), Kampus answers 400 with ``developer_message`` and ``error_code``; an unknown cohort is
  Open edX's 404 (``CourseUserGroup matching query does not exist.``).
* ``GET /api/grades/v1/subsection/<usage_id>/?user_id=`` (``SubsectionGradeView``): a learner's subsection
  grade, its override and the override's history; ``DELETE`` there (Kampus: Open edX removes an override
  only through its grades service) removes the override, its history keeping a ``DELETE`` entry.

Errors are Open edX's ``DeveloperErrorViewMixin`` bodies (``developer_message``, ``error_code``). Who may
read other learners' grades: global staff (Open edX's ``IsStaff``) and, in Kampus, the course's staff
(``course.view_staff``). A list page costs a constant number of queries: the enrollments with their
accounts (one, filters included), the learners' scores, overrides and content groups (one each), the
counts; grades are computed in memory from the cached course structure (as learners see the course).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, request
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import UsageKey
from pydantic import BaseModel, Field, RootModel
from werkzeug.wrappers import Response

from kampus import db
from kampus.api_docs import ApiSection
from kampus.course_keys import org_of
from kampus.identity.models import CourseAccessRole, User
from kampus.identity.permissions import has_permission
from kampus.identity.roles import BETA_TESTER, COURSE_ROLES, DISCUSSION_ROLES, LEARNER
from kampus_lms.catalog.api import course_overview
from kampus_lms.cohorts.api import cohort_member_ids_query, get_cohort
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
    UserCondition,
    apply_overrides,
    assignment_grade_between,
    clean_request,
    course_grade,
    course_grade_between,
    course_grades_of,
    remove_override,
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
    username: str | None = Field(None, description="One learner's entry (the filters below do not apply).")
    username_contains: str | None = Field(None, description="Learners whose user name holds this (any case).")
    user_contains: str | None = Field(None, description="Learners whose user name or e-mail address holds this.")
    cohort_id: str | None = Field(None, description="Learners in this cohort of the course (404 for an unknown one).")
    enrollment_mode: str | None = Field(None, description="Learners enrolled in this mode (e.g. `verified`).")
    assignment: str | None = Field(None, description="A subsection's usage id: with `assignment_grade_min` and/or "
                                                     "`assignment_grade_max`, learners whose stored grade there is "
                                                     "in range (never attempted: left out).")
    assignment_grade_min: str | None = Field(None, description="Lowest assignment grade, percent (default 0).")
    assignment_grade_max: str | None = Field(None, description="Highest assignment grade, percent (default 100).")
    course_grade_min: str | None = Field(None, description="Lowest stored course grade, percent, inclusive "
                                                           "(without it, or 0, learners not graded yet are kept).")
    course_grade_max: str | None = Field(None, description="Highest stored course grade, percent, inclusive.")
    excluded_course_roles: list[str] | None = Field(
        None, description="Leave out learners holding one of these course roles (repeat the parameter), or "
                          "any course role with `all` (staff, instructors, TAs, beta testers).")
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


@dataclass(frozen=True)
class LearnerFilters:
    """The gradebook's filters of its learners (Open edX's ``GradebookView.get``), as the enrollment area's
    page and count queries take them: every filter is SQL in those queries."""

    username_contains: str | None = None
    user_contains: str | None = None
    mode: str | None = None
    user_ids: Any = None  #: a query of user ids (a cohort's members)
    conditions: tuple[UserCondition, ...] = ()

    def arguments(self) -> dict[str, Any]:
        return {"username_contains": self.username_contains, "user_contains": self.user_contains,
                "mode": self.mode, "user_ids": self.user_ids, "conditions": self.conditions}

    @property
    def any(self) -> bool:
        return bool(self.username_contains or self.user_contains or self.mode or self.user_ids is not None
                    or self.conditions)


def _percent(name: str) -> float | None:
    """A percentage bound of the query (``None`` when absent or empty, as Open edX ignores it); 400 when it
    is not a finite number (Open edX's ``float()`` fails there with a 500)."""
    raw = without_nul(request.args.get(name))
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise api_error(400, f"{name} must be a number (a percentage), not '{raw}'.", "invalid_grade_bound")
    return value


def _cohort_members(course_id: str, raw: str) -> Any:
    """``cohort_id``: a query of the cohort's members; Open edX's 404 for a cohort the course does not have."""
    try:
        cohort_id = int(raw)
    except ValueError:
        raise api_error(400, f"cohort_id must be an integer, not '{raw}'.", "invalid_cohort_id") from None
    if not 0 < cohort_id < 2**31 or get_cohort(course_id, cohort_id) is None:
        raise RestError(404, {"developer_message": "CourseUserGroup matching query does not exist."})
    return cohort_member_ids_query(course_id, cohort_id)


def _assignment_condition(course_id: str) -> UserCondition | None:
    """``assignment`` with ``assignment_grade_min`` / ``assignment_grade_max`` (either alone is ignored, as
    in Open edX)."""
    raw = without_nul(request.args.get("assignment"))
    low, high = _percent("assignment_grade_min"), _percent("assignment_grade_max")
    if not raw or (low is None and high is None):
        return None
    try:
        usage_id = str(UsageKey.from_string(raw))
    except InvalidKeyError:
        raise api_error(400, "Invalid UsageKey", "invalid_usage_key") from None
    return assignment_grade_between(course_id, usage_id, low, high)


#: Open edX's ``CourseAccessRole`` names that differ from Kampus's.
OPENEDX_ROLE_NAMES = {"beta_testers": BETA_TESTER}
#: ``excluded_course_roles=all``: the course roles Open edX keeps in ``CourseAccessRole`` (the learner role and
#: the discussion roles are not among them: Open edX keeps forum roles apart).
ACCESS_ROLES = tuple(role for role in COURSE_ROLES if role != LEARNER and role not in DISCUSSION_ROLES)


def _without_roles(course_id: str, names: list[str]) -> UserCondition | None:
    """``excluded_course_roles``: learners holding none of these roles in the course (``all``: none of
    :data:`ACCESS_ROLES`); a role held on the course's whole organization counts, as everywhere in Kampus."""
    cleaned = [(without_nul(name) or "").strip() for name in names]
    wanted = [OPENEDX_ROLE_NAMES.get(name, name) for name in cleaned if name]
    if not wanted:
        return None
    roles = list(ACCESS_ROLES) if "all" in wanted else sorted(set(wanted))
    org = org_of(course_id)

    def condition(user_id: Any) -> Any:
        held = sa.select(CourseAccessRole.id).where(
            CourseAccessRole.user_id == user_id, CourseAccessRole.role.in_(roles),
            sa.or_(CourseAccessRole.course_id == course_id,
                   sa.and_(CourseAccessRole.course_id == "", CourseAccessRole.org == org)))
        return ~sa.exists(held)
    return condition


def gradebook_filters(course_id: str) -> LearnerFilters:
    """The gradebook's filters from the request's query (Open edX's parameters, checked: 400 for a value
    that cannot be one, 404 for an unknown cohort)."""
    conditions: list[UserCondition] = []
    assignment = _assignment_condition(course_id)
    if assignment is not None:
        conditions.append(assignment)
    low, high = _percent("course_grade_min"), _percent("course_grade_max")
    if low is not None or high is not None:
        conditions.append(course_grade_between(course_id, low, high))
    roles = _without_roles(course_id, request.args.getlist("excluded_course_roles"))
    if roles is not None:
        conditions.append(roles)
    cohort = without_nul(request.args.get("cohort_id"))
    return LearnerFilters(
        username_contains=without_nul(request.args.get("username_contains")) or None,
        user_contains=without_nul(request.args.get("user_contains")) or None,
        mode=without_nul(request.args.get("enrollment_mode")) or None,
        user_ids=_cohort_members(course_id, cohort) if cohort else None,
        conditions=tuple(conditions))


def _published_grades(course_id: str, learners: list[EnrolledLearner]) -> dict[int, CourseGrade]:
    try:
        return course_grades_of(course_id, [learner.user for learner in learners]) if learners else {}
    except NoGrades:
        raise api_error(404, f"Requested grade for unknown course {course_id}", "course_does_not_exist") from None


def _cursor_page(course_id: str, filters: LearnerFilters | None = None) -> tuple[
        list[EnrolledLearner], str | None, str | None]:
    """One cursor page of the course's active enrollments (those ``filters`` keep) and the links to its
    neighbours."""
    filters = filters or LearnerFilters()
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
                                        **filters.arguments())
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
    filters = gradebook_filters(course_id)
    page, next_url, previous_url = _cursor_page(course_id, filters)
    grades = _published_grades(course_id, page)
    total = count_enrolled_matching(course_id)
    filtered = count_enrolled_matching(course_id, **filters.arguments()) if filters.any else total
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


def _subsection_learner(subsection_id: str, viewer: Any) -> tuple[str, str, Any]:
    """``(usage id, course id, learner)`` of a subsection request (``user_id`` of the query: an enrolled
    learner), after the course staff check; the REST errors otherwise."""
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
    return str(usage_key), course_id, user


@bp.get("/api/grades/v1/subsection/<subsection_id>/")
@grades_api.doc(query=SubsectionQuery, validate=False,
                resp={200: SubsectionGradeAnswer, 400: DeveloperError, 401: DeveloperError, 403: DeveloperError,
                      404: DeveloperError})
def subsection_grade(subsection_id: str) -> Response:
    """A learner's grade in one subsection: as computed, its override and the override's history (course staff)."""
    viewer = requesting_user("developer")
    usage_id, course_id, user = _subsection_learner(subsection_id, viewer)
    try:
        detail = subsection_grade_detail(course_id, user, usage_id)
    except LookupError:
        raise api_error(404, f"{usage_id} is not a subsection of the course.", "subsection_does_not_exist") from None
    return json_answer({"subsection_id": usage_id, "user_id": int(user.id), "course_id": course_id,
                        "original_grade": detail["original_grade"], "override": detail["override"],
                        "history": [_history_entry(entry) for entry in detail["history"]]})


class RemoveOverrideQuery(SubsectionQuery):
    comment: str | None = Field(None, description="Why the override is removed (kept in its history).")


@bp.delete("/api/grades/v1/subsection/<subsection_id>/")
@grades_api.doc(query=RemoveOverrideQuery, validate=False,
                resp={204: None, 400: DeveloperError, 401: DeveloperError, 403: DeveloperError, 404: DeveloperError})
def remove_subsection_override(subsection_id: str) -> Response:
    """Remove a learner's override of a subsection (Kampus: Open edX does this only through its grades
    service, ``undo_override_subsection_grade``): the learner's grade is recomputed from their scores and
    the override's history gets a ``DELETE`` entry with ``comment``. 404 when the grade is not overridden."""
    viewer = requesting_user("developer")
    usage_id, course_id, user = _subsection_learner(subsection_id, viewer)
    if not has_permission(viewer, OVERRIDE_GRADES, course_id):
        raise api_error(403, "The requesting user does not have permission to override grades.", "user_permissions")
    comment = (without_nul(request.args.get("comment")) or "").strip()
    if not remove_override(course_id, int(user.id), usage_id, by_user_id=int(viewer.id), comment=comment):
        raise api_error(404, "The learner's grade in this subsection is not overridden.", "override_does_not_exist")
    return current_app.response_class(status=204)  # a Flask response: SpecTree keeps its status
