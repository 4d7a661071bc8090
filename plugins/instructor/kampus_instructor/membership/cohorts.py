"""The cohorts section and Open edX's cohort APIs at their paths: the REST API
(``/api/cohorts/v1/...``, ``openedx/core/djangoapps/course_groups/views.py``), the dashboard's older
endpoints (``/courses/<course_id>/cohorts/...``) and the CSV upload
(``/courses/<course_id>/instructor/api/add_users_to_cohorts``). The work is the LMS's
(:mod:`kampus_lms.api`: cohorts and content groups)."""

from __future__ import annotations

import math
from typing import Any

from flask import Blueprint, abort, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from kampus_lms.api import (
    CohortError,
    CohortInfo,
    add_users_to_cohort,
    assign_from_csv,
    cohort_members,
    cohort_settings,
    content_groups,
    create_cohort,
    delete_cohort,
    get_cohort,
    is_cohorted,
    list_cohorts,
    remove_user_from_cohort,
    set_cohorted,
    split_identifiers,
    update_cohort,
)
from pydantic import BaseModel, ConfigDict, Field, RootModel
from werkzeug.wrappers import Response

from kampus.api_docs import ApiSection
from kampus.identity.permissions import has_permission
from kampus_instructor.access import require
from kampus_instructor.http import ApiError, ErrorBody, check, install_errors, no_content, params
from kampus_instructor.membership.fields import bool_field
from kampus_instructor.membership.service import MANAGE_ENROLLMENT
from kampus_instructor.pages import render_dashboard_page

bp = Blueprint("instructor_membership_cohorts", __name__)
install_errors(bp)

cohorts_api = ApiSection("cohorts", "Cohorts and their content groups (Open edX's cohort API).", errors="openedx")
ERRORS: dict[int, type[BaseModel] | None] = {400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody}
#: Largest upload the CSV endpoints take (the LMS checks the file itself too).
MAX_UPLOAD = 2 * 1024 * 1024


class CohortBody(BaseModel):
    """A cohort (Open edX's ``_get_cohort_representation``)."""

    name: str
    id: int
    user_count: int
    assignment_type: str
    user_partition_id: int | None
    group_id: int | None


class CohortList(RootModel[list[CohortBody]]):
    pass


class CohortsQuery(BaseModel):
    ordering: str | None = Field(None, description="`asc` (the default) or `desc`: by name.")


class LegacyCohortList(BaseModel):
    success: bool
    cohorts: list[CohortBody]


class CohortSettingsBody(BaseModel):
    """Open edX's ``_get_course_cohort_settings_representation``: the integer ``id`` of the course's cohort
    settings and whether the course is cohorted."""

    id: int
    is_cohorted: bool


class Member(BaseModel):
    username: str
    email: str
    name: str


class MemberPage(BaseModel):
    """A page of a cohort's members (edx-drf-extensions' pagination)."""

    count: int
    num_pages: int
    current_page: int
    start: int
    previous: str | None
    next: str | None
    results: list[Member]


class AddedUser(BaseModel):
    username: str
    email: str


class ChangedUser(BaseModel):
    email: str
    previous_cohort: str
    username: str


class AddAnswer(BaseModel):
    """Open edX's ``CohortUsers.post`` answer: ``added`` and ``changed`` (moved from ``previous_cohort``)
    users, and the given names that were ``present`` already, ``unknown``, ``preassigned`` (an address
    without an account yet) or ``invalid`` (not an e-mail address)."""

    success: bool
    added: list[AddedUser]
    changed: list[ChangedUser]
    present: list[str]
    unknown: list[str]
    preassigned: list[str]
    invalid: list[str]


class LegacyAddAnswer(AddAnswer):
    """Open edX's ``add_users_to_cohort`` view answer: also ``not_allowed`` (always empty here: no
    cohort refuses a learner)."""

    not_allowed: list[str]


class Success(BaseModel):
    success: bool


class CsvError(BaseModel):
    row: int
    message: str


class CsvAnswer(BaseModel):
    """A CSV assignment: applied entirely (``success``) or not at all (``errors`` per row)."""

    success: bool
    assigned: int
    errors: list[CsvError]


class CohortRequest(BaseModel):
    """A cohort to make or change: ``name``, ``assignment_type`` (manual or random), its content group
    (``group_id``, ``user_partition_id``; an empty ``group_id`` unlinks)."""

    name: str | None = None
    assignment_type: str | None = None
    group_id: int | str | None = None
    user_partition_id: int | str | None = None


class SettingsRequest(BaseModel):
    is_cohorted: bool


class UsersRequest(BaseModel):
    """``users``: a list, or usernames/e-mail addresses separated by commas, spaces or new lines."""

    users: list[str] | str


class CsvUpload(BaseModel):
    """``uploaded-file``: the CSV file (multipart)."""

    model_config = ConfigDict(populate_by_name=True)
    uploaded_file: bytes = Field(alias="uploaded-file")


CSV_ANSWERS: dict[int, type[BaseModel] | None] = {200: CsvAnswer, 400: CsvAnswer, 401: ErrorBody, 403: ErrorBody,
                                                  404: ErrorBody}


def _failing(error: CohortError) -> ApiError:
    return ApiError(error.status, error.message, error.field)


def _cohort(course_id: str, cohort_id: int) -> CohortInfo:
    cohort = get_cohort(course_id, cohort_id)
    if cohort is None:
        raise ApiError(404, _("There is no cohort %(id)s in this course.", id=cohort_id), "cohort_id")
    return cohort


def _group_fields(data: Any) -> dict[str, Any]:
    """``group_id``/``user_partition_id`` of a request (empty means: no content group)."""
    found: dict[str, Any] = {}
    if "group_id" in data:
        raw = data.get("group_id")
        try:
            found["group_id"] = None if raw in (None, "", "null") else int(raw)
            partition = data.get("user_partition_id")
            found["user_partition_id"] = None if partition in (None, "", "null") else int(partition)
        except (TypeError, ValueError):
            raise ApiError(400, _("group_id and user_partition_id must be numbers."), "group_id") from None
    return found


# -- the page ----------------------------------------------------------------------------------------------


#: Members listed under each cohort on the cohorts page (then a link to the cohort's own page).
MEMBERS_SHOWN = 20
#: Members per page of a cohort's page.
MEMBERS_PER_PAGE = 50
#: A page number beyond any cohort (larger ones are read as the last page).
MAX_PAGE = 1_000_000


@bp.get("/courses/<course_id>/instructor/cohorts")
def cohorts_page(course_id: str) -> str:
    """The cohorts section: turn cohorts on, make cohorts, link content groups, add learners, CSV upload."""
    require("instructor.view", course_id)
    cohorts = list_cohorts(course_id)
    members = {cohort.id: cohort_members(course_id, cohort.id, limit=MEMBERS_SHOWN)[0] for cohort in cohorts}
    groups = content_groups(course_id)
    group_names = {(group.partition_id, group.id): group.name for group in groups}
    return render_dashboard_page("instructor/membership/cohorts.html", course_id, "cohorts",
                                 cohorted=is_cohorted(course_id), cohorts=cohorts, members=members, groups=groups,
                                 group_names=group_names,
                                 can_change=has_permission(current_user, MANAGE_ENROLLMENT, course_id))


@bp.get("/courses/<course_id>/instructor/cohorts/<int:cohort_id>/members")
def cohort_members_page(course_id: str, cohort_id: int) -> str:
    """Every member of one cohort, a page at a time (``page``), filtered by username or e-mail (``q``)."""
    require("instructor.view", course_id)
    found = get_cohort(course_id, cohort_id)
    if found is None:
        abort(404)
    query = request.args.get("q", "").strip()[:254]
    page = min(MAX_PAGE, max(1, request.args.get("page", 1, type=int) or 1))  # no offset past a bigint
    users, total = cohort_members(course_id, cohort_id, offset=(page - 1) * MEMBERS_PER_PAGE,
                                  limit=MEMBERS_PER_PAGE, search=query)
    pages = max(1, math.ceil(total / MEMBERS_PER_PAGE))
    if page > pages:  # past the last page (members removed meanwhile): the last page
        page = pages
        users, total = cohort_members(course_id, cohort_id, offset=(page - 1) * MEMBERS_PER_PAGE,
                                      limit=MEMBERS_PER_PAGE, search=query)
    return render_dashboard_page("instructor/membership/cohort_members.html", course_id, "cohorts",
                                 cohort=found, users=users, total=total, page=page, pages=pages, q=query,
                                 first=(page - 1) * MEMBERS_PER_PAGE + 1 if users else 0,
                                 can_change=has_permission(current_user, MANAGE_ENROLLMENT, course_id))


# -- the REST API --------------------------------------------------------------------------------------------


@bp.get("/api/cohorts/v1/settings/<course_id>")
@cohorts_api.doc(resp={200: CohortSettingsBody, **ERRORS})
def cohort_settings_view(course_id: str) -> Response:
    """Whether the course is cohorted, with the integer ``id`` of its cohort settings."""
    check("instructor.view", course_id)
    return jsonify(cohort_settings(course_id))


@bp.put("/api/cohorts/v1/settings/<course_id>")
@bp.patch("/api/cohorts/v1/settings/<course_id>")
@cohorts_api.doc(json=SettingsRequest, validate=False, resp={200: CohortSettingsBody, **ERRORS})
def change_cohort_settings(course_id: str) -> Response:
    """Turn cohorts on or off (``is_cohorted``)."""
    check(MANAGE_ENROLLMENT, course_id)
    if "is_cohorted" not in params():
        raise ApiError(400, _('Missing field "is_cohorted".'), "is_cohorted")
    set_cohorted(course_id, bool_field("is_cohorted"))
    return jsonify(cohort_settings(course_id))


@bp.get("/courses/<course_id>/cohorts/settings")
@bp.patch("/courses/<course_id>/cohorts/settings")
@cohorts_api.doc(json=SettingsRequest, validate=False, resp={200: CohortSettingsBody, **ERRORS})
def legacy_cohort_settings(course_id: str) -> Response:
    """The dashboard's older settings endpoint (Open edX's ``course_cohort_settings_handler``): GET as
    ``GET /api/cohorts/v1/settings/<id>``; PATCH ``is_cohorted`` turns cohorts on or off."""
    if request.method == "GET":
        return cohort_settings_view(course_id)
    return change_cohort_settings(course_id)


@bp.get("/api/cohorts/v1/courses/<course_id>/cohorts/")
@cohorts_api.doc(query=CohortsQuery, validate=False, resp={200: CohortList, **ERRORS})
def cohorts(course_id: str) -> Response:
    """The course's cohorts by name: ``ordering`` ``asc`` (the default) or ``desc``, as Open edX."""
    check("instructor.view", course_id)
    ordering = str(request.args.get("ordering", "asc")).lower()
    if ordering not in ("asc", "desc"):
        raise ApiError(400, _('Invalid ordering value. Must be "asc" or "desc".'), "ordering")
    found = list_cohorts(course_id)  # by name
    return jsonify([cohort.as_json() for cohort in (reversed(found) if ordering == "desc" else found)])


@bp.post("/api/cohorts/v1/courses/<course_id>/cohorts/")
@cohorts_api.doc(json=CohortRequest, validate=False, resp={200: CohortBody, **ERRORS})
def add_cohort(course_id: str) -> Response:
    """Make a cohort: ``name``, ``assignment_type`` (manual or random), optional ``group_id`` and
    ``user_partition_id`` (its content group)."""
    check(MANAGE_ENROLLMENT, course_id)
    data = params()
    try:
        cohort = create_cohort(course_id, str(data.get("name") or ""), str(data.get("assignment_type") or "manual"),
                               **_group_fields(data))
    except CohortError as error:
        raise _failing(error) from None
    return jsonify(cohort.as_json())


@bp.get("/api/cohorts/v1/courses/<course_id>/cohorts/<int:cohort_id>")
@cohorts_api.doc(resp={200: CohortBody, **ERRORS})
def cohort(course_id: str, cohort_id: int) -> Response:
    """One cohort."""
    check("instructor.view", course_id)
    return jsonify(_cohort(course_id, cohort_id).as_json())


@bp.patch("/api/cohorts/v1/courses/<course_id>/cohorts/<int:cohort_id>")
@cohorts_api.doc(json=CohortRequest, validate=False, resp={204: None, **ERRORS})
def change_cohort(course_id: str, cohort_id: int) -> Response:
    """Rename a cohort (``name``), change its ``assignment_type`` or its content group (``group_id``,
    ``user_partition_id``; an empty ``group_id`` unlinks it)."""
    check(MANAGE_ENROLLMENT, course_id)
    _cohort(course_id, cohort_id)
    data = params()
    try:
        update_cohort(course_id, cohort_id, name=data.get("name"), assignment_type=data.get("assignment_type"),
                      **_group_fields(data))
    except CohortError as error:
        raise _failing(error) from None
    return no_content()


@bp.delete("/api/cohorts/v1/courses/<course_id>/cohorts/<int:cohort_id>")
@cohorts_api.doc(resp={204: None, **ERRORS})
def remove_cohort(course_id: str, cohort_id: int) -> Response:
    """Delete an empty cohort."""
    check(MANAGE_ENROLLMENT, course_id)
    try:
        if not delete_cohort(course_id, cohort_id):
            raise ApiError(404, _("There is no cohort %(id)s in this course.", id=cohort_id), "cohort_id")
    except CohortError as error:
        raise _failing(error) from None
    return no_content()


@bp.get("/api/cohorts/v1/courses/<course_id>/cohorts/<int:cohort_id>/users/")
@cohorts_api.doc(resp={200: MemberPage, **ERRORS})
def members(course_id: str, cohort_id: int) -> Response:
    """A page of the cohort's members (``page``, ``page_size`` up to 100)."""
    check("instructor.view", course_id)
    _cohort(course_id, cohort_id)
    try:
        page = max(1, int(request.args.get("page", 1)))
        size = min(100, max(1, int(request.args.get("page_size", 10))))
    except ValueError:
        raise ApiError(404, "Invalid page.") from None
    users, total = cohort_members(course_id, cohort_id, offset=(page - 1) * size, limit=size)
    pages = max(1, math.ceil(total / size))
    if page > pages:
        raise ApiError(404, "Invalid page.")
    base = request.base_url
    return jsonify({"count": total, "num_pages": pages, "current_page": page, "start": (page - 1) * size,
                    "previous": f"{base}?page={page - 1}&page_size={size}" if page > 1 else None,
                    "next": f"{base}?page={page + 1}&page_size={size}" if page < pages else None,
                    "results": [{"username": user.username, "email": user.email, "name": user.name}
                                for user in users]})


def _add(course_id: str, cohort_id: int, identifiers: list[str]) -> dict[str, Any]:
    """Add the users now (committed before the answer): Open edX's answer."""
    try:
        return add_users_to_cohort(course_id, cohort_id, identifiers)
    except CohortError as error:
        raise _failing(error) from None


def _identifiers(raw: Any) -> list[str]:
    """``users`` of a request: a list, or text separated by commas, spaces or new lines."""
    if isinstance(raw, list):
        return [str(item).strip() for item in raw if str(item).strip()]
    return split_identifiers(str(raw or ""))


@bp.post("/api/cohorts/v1/courses/<course_id>/cohorts/<int:cohort_id>/users/")
@cohorts_api.doc(json=UsersRequest, validate=False, resp={200: AddAnswer, **ERRORS})
def add_members(course_id: str, cohort_id: int) -> Response:
    """Add the usernames or e-mail addresses of ``users`` (a list, or text separated by commas, spaces or new
    lines) at once: the answer lists who was added, moved, already there, unknown, pre-assigned or invalid."""
    check(MANAGE_ENROLLMENT, course_id)
    _cohort(course_id, cohort_id)
    identifiers = _identifiers(params().get("users"))
    if not identifiers:
        raise ApiError(400, _("Missing users key in payload"), "users")
    return jsonify(_add(course_id, cohort_id, identifiers))


@bp.post("/api/cohorts/v1/courses/<course_id>/cohorts/<int:cohort_id>/users/<username>")
@cohorts_api.doc(resp={200: AddAnswer, **ERRORS})
def add_member(course_id: str, cohort_id: int, username: str) -> Response:
    """Add one user to the cohort (the ``users`` of a body, when given, instead, as Open edX)."""
    check(MANAGE_ENROLLMENT, course_id)
    _cohort(course_id, cohort_id)
    return jsonify(_add(course_id, cohort_id, _identifiers(params().get("users")) or [username]))


@bp.delete("/api/cohorts/v1/courses/<course_id>/cohorts/<int:cohort_id>/users/<username>")
@cohorts_api.doc(resp={204: None, **ERRORS})
def remove_member(course_id: str, cohort_id: int, username: str) -> Response:
    """Take a user out of the cohort."""
    check(MANAGE_ENROLLMENT, course_id)
    _cohort(course_id, cohort_id)
    try:
        removed = remove_user_from_cohort(course_id, cohort_id, username)
    except CohortError as error:
        raise _failing(error) from None
    if not removed:
        raise ApiError(400, _("User %(name)s is not in this cohort.", name=username), "username")
    return no_content()


def _csv_answer(course_id: str) -> Response:
    upload = request.files.get("uploaded-file")
    if upload is None or not upload.filename:
        raise ApiError(400, _("Upload a CSV file (field uploaded-file)."), "uploaded-file")
    if not upload.filename.lower().endswith(".csv"):
        raise ApiError(400, _("The file must end with the extension '.csv'."), "uploaded-file")
    data = upload.stream.read(MAX_UPLOAD + 1)
    try:
        answer = assign_from_csv(course_id, data)
    except CohortError as error:
        raise ApiError(400, error.message, "uploaded-file") from None
    response = jsonify(answer)
    response.status_code = 200 if answer["success"] else 400
    return response


@bp.post("/api/cohorts/v1/courses/<course_id>/users")
@cohorts_api.doc(form=CsvUpload, validate=False, resp=CSV_ANSWERS)
def upload_csv(course_id: str) -> Response:
    """Assign learners to cohorts from a CSV file (``uploaded-file``: columns ``cohort`` and ``username``
    or ``email``); a file with a bad row applies nothing and lists the errors per row."""
    check(MANAGE_ENROLLMENT, course_id)
    return _csv_answer(course_id)


@bp.post("/courses/<course_id>/instructor/api/add_users_to_cohorts")
@cohorts_api.doc(form=CsvUpload, validate=False, resp=CSV_ANSWERS)
def add_users_to_cohorts(course_id: str) -> Response:
    """The dashboard's CSV upload (Open edX's path): as ``POST /api/cohorts/v1/courses/<id>/users``."""
    check(MANAGE_ENROLLMENT, course_id)
    return _csv_answer(course_id)


# -- the dashboard's older endpoints ------------------------------------------------------------------------


@bp.get("/courses/<course_id>/cohorts/")
@cohorts_api.doc(resp={200: LegacyCohortList, **ERRORS})
def legacy_cohorts(course_id: str) -> Response:
    """``{"success": true, "cohorts": [...]}`` (Open edX's ``cohort_handler``)."""
    check("instructor.view", course_id)
    return jsonify({"success": True, "cohorts": [cohort.as_json() for cohort in list_cohorts(course_id)]})


@bp.post("/courses/<course_id>/cohorts/<int:cohort_id>/add")
@cohorts_api.doc(resp={200: LegacyAddAnswer, **ERRORS})
def legacy_add(course_id: str, cohort_id: int) -> Response:
    """Add the users of ``users`` (separated by commas, spaces or new lines) to the cohort at once (Open
    edX's ``add_users_to_cohort``): the answer of ``POST .../cohorts/<id>/users/`` and ``not_allowed``."""
    check(MANAGE_ENROLLMENT, course_id)
    _cohort(course_id, cohort_id)
    return jsonify({**_add(course_id, cohort_id, split_identifiers(str(params().get("users") or ""))),
                    "not_allowed": []})


@bp.post("/courses/<course_id>/cohorts/<int:cohort_id>/delete")
@cohorts_api.doc(resp={200: Success, **ERRORS})
def legacy_remove(course_id: str, cohort_id: int) -> Response:
    """Take ``username`` out of the cohort: ``{"success": true}``."""
    check(MANAGE_ENROLLMENT, course_id)
    _cohort(course_id, cohort_id)
    username = str(params().get("username") or "").strip()
    if not username:
        raise ApiError(400, _("No username specified"), "username")
    try:
        remove_user_from_cohort(course_id, cohort_id, username)
    except CohortError as error:
        raise _failing(error) from None
    return jsonify({"success": True})
