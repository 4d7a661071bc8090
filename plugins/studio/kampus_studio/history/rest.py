"""Studio's REST API for a course's history, under ``/api/studio/v1/courses/<course_id>/history/``.

* ``GET history/?page=&page_size=``: versions newest first (who, when, published);
* ``GET history/<version>/diff?against=<version>``: blocks added, removed, moved, reordered and
  changed fields (with a line diff of long text) from its predecessor or from ``against``;
* ``POST history/<version>/revert`` ``{"expected_version"?}``: a new draft equal to ``version``;
  409 when the draft moved on since ``expected_version`` (optional: without it the last writer wins).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from kampus_content.api import CourseNotFound, VersionConflict, VersionNotFound
from pydantic import BaseModel, Field
from werkzeug.wrappers import Response

from kampus.api_docs import ApiSection
from kampus.course_keys import is_course_id
from kampus_studio.access import can_author
from kampus_studio.history import service

bp = Blueprint("studio_history_api", __name__, url_prefix="/api/studio/v1")
history_api = ApiSection("studio-history", "Studio: a course's versions, what each changed, and revert.",
                         errors="openedx")


class HistoryError(BaseModel):
    developer_message: str
    user_message: str
    error_code: str
    draft_version: str | None = None


class HistoryQuery(BaseModel):
    page: int = Field(1, ge=1, description="The page (1 first).")
    page_size: int = Field(service.PAGE_SIZE, ge=1, le=service.MAX_PAGE_SIZE, description="Versions a page.")


class VersionJson(BaseModel):
    version: str
    previous_version: str | None
    username: str | None
    edited_at: str | None
    message: str
    published: bool = Field(description="Whether this version was published.")
    is_draft: bool = Field(description="Whether the draft is at this version.")
    is_live: bool = Field(description="Whether learners see this version now.")


class HistoryList(BaseModel):
    results: list[VersionJson]
    page: int
    page_size: int
    next_page: int | None
    draft_version: str


class DiffQuery(BaseModel):
    against: str | None = Field(None, description="The version to compare with (default: the predecessor).")


class BlockJson(BaseModel):
    type: str
    id: str
    display_name: str
    usage_id: str


class MoveJson(BaseModel):
    block: BlockJson
    old_parent: BlockJson | None
    new_parent: BlockJson | None


class FieldJson(BaseModel):
    name: str
    old: Any = None
    new: Any = None
    text_diff: list[str]


class ChangeJson(BaseModel):
    block: BlockJson
    fields: list[FieldJson]


class FileChangeJson(BaseModel):
    path: str = Field(description="The course file's path (about/overview.html, static/logo.png...).")
    change: str = Field(description="added, removed or changed.")
    text_diff: list[str] = Field(description="Unified-diff lines of a small text file (else empty).")


class DiffJson(BaseModel):
    old_version: str
    new_version: str
    added: list[BlockJson]
    removed: list[BlockJson]
    moved: list[MoveJson]
    reordered: list[BlockJson]
    changed: list[ChangeJson]
    files: list[FileChangeJson] = Field(description="Course files added, removed or changed.")


class RevertBody(BaseModel):
    expected_version: str | None = Field(
        None, description="The draft version the request is based on (from the history list): 409 when the draft "
                          "moved on since. Optional, as in Open edX: without it the revert applies to the draft as "
                          "it is now (the last writer wins).")


class Reverted(BaseModel):
    draft_version: str
    reverted_to: str


def _error(status: int, message: str, code: str, **extra: Any) -> Response:
    response = jsonify({"developer_message": message, "user_message": message, "error_code": code, **extra})
    response.status_code = status
    return response


def _refused(course_id: str) -> Response | None:
    if not current_user.is_authenticated:
        return _error(401, _("Authentication credentials were not provided."), "not_authenticated")
    if not is_course_id(course_id):
        return _error(404, _("The provided course key cannot be parsed."), "invalid_course_key")
    if not can_author(course_id):
        return _error(403, _("You do not have author access to this course."), "user_mismatch")
    return None


def _number(name: str, default: int, low: int, high: int) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if low <= value <= high else None


@bp.get("/courses/<course_id>/history/")
@history_api.doc(query=HistoryQuery, validate=False,
                 resp={200: HistoryList, 400: HistoryError, 401: HistoryError, 403: HistoryError, 404: HistoryError})
def history_list(course_id: str) -> Response:
    """The course's versions, newest first (who, when, which were published)."""
    refused = _refused(course_id)
    if refused is not None:
        return refused
    page = _number("page", 1, 1, 10 ** 6)
    size = _number("page_size", service.PAGE_SIZE, 1, service.MAX_PAGE_SIZE)
    if page is None or size is None:
        return _error(400, _("page must be a positive number and page_size from 1 to %(most)s.",
                             most=service.MAX_PAGE_SIZE),
                      "bad_request")
    try:
        result = service.history_page(course_id, page, size)
    except CourseNotFound:
        return _error(404, _("No such course."), "course_not_found")
    return jsonify({"results": [row.to_json() for row in result.rows], "page": result.page,
                    "page_size": result.page_size, "next_page": result.page + 1 if result.has_next else None,
                    "draft_version": result.draft_version})


@bp.get("/courses/<course_id>/history/<version>/diff")
@history_api.doc(query=DiffQuery, validate=False,
                 resp={200: DiffJson, 401: HistoryError, 403: HistoryError, 404: HistoryError})
def history_diff(course_id: str, version: str) -> Response:
    """What ``version`` changed from its predecessor (or from ``against``)."""
    refused = _refused(course_id)
    if refused is not None:
        return refused
    try:
        return jsonify(service.diff(course_id, version, request.args.get("against") or None).to_json())
    except (VersionNotFound, CourseNotFound):
        return _error(404, _("No such version of this course."), "version_not_found")


@bp.post("/courses/<course_id>/history/<version>/revert")
@history_api.doc(json=RevertBody, validate=False,
                 resp={200: Reverted, 400: HistoryError, 401: HistoryError, 403: HistoryError, 404: HistoryError,
                       409: HistoryError})
def history_revert(course_id: str, version: str) -> Response:
    """Make a new draft equal to ``version``; 409 when the draft moved on since ``expected_version``."""
    refused = _refused(course_id)
    if refused is not None:
        return refused
    body = request.get_json(silent=True)
    if body is None and request.get_data():
        return _error(400, _("Send a JSON object."), "bad_request")
    expected = body.get("expected_version") if isinstance(body, dict) else None
    if expected is not None and not isinstance(expected, str):
        return _error(400, _("expected_version is the draft version as a text."), "bad_request")
    try:
        structure = service.revert(course_id, version, user_id=current_user.id, expected_version=expected or None)
    except (VersionNotFound, CourseNotFound):
        return _error(404, _("No such version of this course."), "version_not_found")
    except VersionConflict:
        return _error(409, _("Someone changed the course since you loaded its history; reload it and try again."),
                      "version_conflict", draft_version=service.draft_version(course_id))
    return jsonify({"draft_version": structure.version, "reverted_to": version})
