"""Studio's REST API for course files (Open edX's Studio ``/assets/<course_key>/``), under ``/api/studio/v1/``.

* ``GET /api/studio/v1/courses/<course_id>/assets/``: the draft's files, Open edX's page shape
  (``start``, ``end``, ``page`` (0 first), ``pageSize``, ``totalCount``, ``sort``, ``direction``,
  ``assetTypes``, ``textSearch``, ``assets``) plus ``draft_version``; query ``page``, ``page_size``,
  ``sort`` (display_name, date_added, content_type, size), ``direction`` (asc, desc), ``asset_type``
  (Images, Documents, Audio, Video, Code, OTHER; several joined by ``,``), ``text_search``;
* ``POST`` the same path, multipart, one or more ``file`` parts (``locked=true`` locks them): 201
  ``{"asset", "assets", "msg", "draft_version"}``; a file over ``studio_max_upload_mb`` is 413, a
  refused type 400, and then nothing is stored;
* ``GET`` / ``PUT`` / ``PATCH`` / ``DELETE /api/studio/v1/courses/<course_id>/assets/<asset_id>``: one
  file (by Open edX asset key or asset name); ``{"locked": bool, "expected_version"?}`` locks or
  unlocks it; delete answers 204. ``expected_version`` (JSON, or the query of DELETE) makes the
  change conditional: 409 when the draft moved on.

Errors have Open edX's body: ``developer_message``, ``user_message`` and ``field_errors``. Bearer
tokens work (the kernel's one authentication path); cookie sessions need the CSRF token.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from kampus_content.api import AssetNotFound, CourseNotFound, VersionConflict, VersionNotFound
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey
from pydantic import BaseModel, Field, ValidationError
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from kampus.api_docs import ApiSection
from kampus_studio.access import can_author
from kampus_studio.files import service
from kampus_studio.files.service import UploadRefused

bp = Blueprint("studio_files_api", __name__, url_prefix="/api/studio/v1/courses/<course_id>/assets")
files_api = ApiSection("studio-files", "Studio: a course's files and uploads (Open edX's assets handler).",
                       errors="openedx")


class StudioError(BaseModel):
    """An error: Open edX's ``developer_message`` / ``user_message``, and ``field_errors`` per field."""

    developer_message: str
    user_message: str
    field_errors: dict[str, dict[str, str]] = {}


class AssetQuery(BaseModel):
    page: int = Field(0, ge=0, description="The page, 0 first.")
    page_size: int = Field(service.DEFAULT_PAGE_SIZE, ge=1, le=service.MAX_PAGE_SIZE, description="Files a page.")
    sort: str = Field("date_added", description="display_name, date_added, content_type or size.")
    direction: str = Field("desc", description="asc or desc.")
    asset_type: str = Field("", description="Images, Documents, Audio, Video, Code or OTHER (comma-separated).")
    text_search: str = Field("", description="Only files whose name contains this.")


class AssetJson(BaseModel):
    """Open edX's asset JSON, with the size, the asset name and the type group."""

    id: str = Field(description="Open edX's asset key.")
    display_name: str
    content_type: str
    date_added: str | None
    url: str = Field(description="Studio's URL of the file (/asset-v1:...).")
    external_url: str = Field(description="Where authors download the draft's file.")
    portable_url: str = Field(description="What to write in course HTML: /static/<name>.")
    thumbnail: str | None
    locked: bool
    size: int
    name: str
    type_group: str


class AssetPage(BaseModel):
    start: int
    end: int
    page: int
    pageSize: int
    totalCount: int
    sort: str
    direction: str
    assetTypes: list[str]
    textSearch: str
    assets: list[AssetJson]
    draft_version: str


class UploadForm(BaseModel):
    file: bytes = Field(description="The file; repeat the part for several files.")
    locked: bool = Field(False, description="Lock the uploaded files to the course's learners and staff.")


class Uploaded(BaseModel):
    asset: AssetJson
    assets: list[AssetJson]
    msg: str
    draft_version: str


class LockChange(BaseModel):
    locked: bool = Field(description="Whether only the course's learners and staff may get the file.")
    expected_version: str | None = Field(None, description="The draft version the change was made from (409 "
                                                          "if it changed since). Optional, but send it to be "
                                                          "protected from lost updates: without it the last writer "
                                                          "wins.")


class DeleteQuery(BaseModel):
    expected_version: str | None = Field(None, description="The draft version the change was made from (409 "
                                                          "if it changed since). Optional, but send it to be "
                                                          "protected from lost updates: without it the last writer "
                                                          "wins.")


class ChangedAsset(AssetJson):
    draft_version: str


def error(status: int, message: str, fields: dict[str, str] | None = None) -> Response:
    """Open edX's error body with ``status``."""
    response = jsonify({
        "developer_message": message, "user_message": message,
        "field_errors": {name: {"developer_message": text, "user_message": text}
                         for name, text in (fields or {}).items()},
    })
    response.status_code = status
    return response


def _refusal(course_id: str) -> Response | None:
    """401 without a user, 404 for a malformed or unknown course, 403 for non-authors."""
    if not current_user.is_authenticated:
        return error(401, _("Authentication credentials were not provided."))
    try:
        CourseKey.from_string(course_id)
    except InvalidKeyError:
        return error(404, _("No course %(course)s.", course=course_id))
    if not can_author(course_id):
        return error(403, _("You do not have permission to perform this action."))
    try:
        service.draft_version(course_id)
    except (CourseNotFound, VersionNotFound):
        return error(404, _("No course %(course)s.", course=course_id))
    return None


def _changed(course_id: str, row: service.FileRow, status: int = 200) -> Response:
    response = jsonify({**row.to_json(), "draft_version": service.draft_version(course_id)})
    response.status_code = status
    return response


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(_error: Exception) -> Response:
    return error(413, _("The upload is too large: each file may be at most %(mb)s MB. Nothing was uploaded.",
                        mb=service.max_upload_bytes() // service.MIB))


@bp.get("/")
@login_required
@files_api.doc(query=AssetQuery, resp={200: AssetPage, 401: StudioError, 403: StudioError, 404: StudioError})
def asset_list(course_id: str) -> Response:
    """The course draft's files, searched, filtered, sorted and paged as Open edX's assets handler does."""
    refused = _refusal(course_id)
    if refused is not None:
        return refused
    query = request.context.query  # type: ignore[attr-defined]
    listing = service.page_of_files(service.course_files(course_id), search=query.text_search,
                                    asset_type=query.asset_type, sort=query.sort, direction=query.direction,
                                    page=query.page, page_size=query.page_size)
    return jsonify({
        "start": listing.start, "end": listing.end, "page": listing.page, "pageSize": listing.page_size,
        "totalCount": listing.total, "sort": listing.sort, "direction": listing.direction,
        "assetTypes": [name for name in listing.asset_type.split(",") if name], "textSearch": listing.search,
        "assets": [row.to_json() for row in listing.rows], "draft_version": service.draft_version(course_id),
    })


@bp.post("/")
@login_required
@files_api.doc(form=UploadForm, validate=False,
               resp={201: Uploaded, 400: StudioError, 401: StudioError, 403: StudioError, 404: StudioError,
                     409: StudioError, 413: StudioError})
def asset_upload(course_id: str) -> Response:
    """Upload one or more files (multipart ``file`` parts); every file is checked before any is stored."""
    refused = _refusal(course_id)
    if refused is not None:
        return refused
    files = [storage for storage in request.files.getlist("file") if storage.filename]
    if not files:
        return error(400, _("Choose one or more files to upload (multipart parts named file)."),
                     {"file": _("This field is required.")})
    locked = str(request.form.get("locked", "")).lower() in ("1", "true", "on", "yes")
    try:
        rows = service.upload_files(course_id, [(storage.filename, storage.stream) for storage in files],
                                    user_id=current_user.id, locked=locked)
    except UploadRefused as refused_upload:
        return error(refused_upload.status, refused_upload.message, {"file": refused_upload.message})
    except VersionConflict:
        return _conflict()
    response = jsonify({"asset": rows[0].to_json(), "assets": [row.to_json() for row in rows],
                        "msg": _("Upload completed"), "draft_version": service.draft_version(course_id)})
    response.status_code = 201
    return response


asset_upload.kampus_max_request_setting = "studio_upload_max_request_bytes"  # type: ignore[attr-defined]


@bp.get("/<path:asset_id>")
@login_required
@files_api.doc(resp={200: AssetJson, 401: StudioError, 403: StudioError, 404: StudioError})
def asset_detail(course_id: str, asset_id: str) -> Response:
    """One file, by Open edX asset key or asset name."""
    refused = _refusal(course_id)
    if refused is not None:
        return refused
    row = service.find_file(course_id, asset_id)
    if row is None:
        return error(404, _("No file %(file)s in %(course)s.", file=asset_id, course=course_id))
    return jsonify(row.to_json())


@bp.route("/<path:asset_id>", methods=["PUT", "PATCH"])
@login_required
@files_api.doc(json=LockChange, validate=False, resp={200: ChangedAsset, 400: StudioError, 401: StudioError,
                                                      403: StudioError, 404: StudioError, 409: StudioError})
def asset_lock(course_id: str, asset_id: str) -> Response:
    """Lock (``{"locked": true}``: the course's learners and staff only) or unlock a file."""
    refused = _refusal(course_id)
    if refused is not None:
        return refused
    # The body is read only once the caller may author the course (a learner gets 403, not a 400).
    try:
        change = LockChange.model_validate(request.get_json(silent=True))
    except ValidationError as exc:
        fields = {".".join(str(part) for part in item["loc"]) or "body": str(item["msg"]) for item in exc.errors()}
        return error(400, _("Send a JSON object with locked (true or false)."), fields)
    try:
        row = service.set_locked(course_id, asset_id, change.locked, user_id=current_user.id,
                                 expected_version=change.expected_version)
    except AssetNotFound:
        return error(404, _("No file %(file)s in %(course)s.", file=asset_id, course=course_id))
    except VersionConflict:
        return _conflict()
    return _changed(course_id, row)


@bp.delete("/<path:asset_id>")
@login_required
@files_api.doc(query=DeleteQuery, resp={204: None, 401: StudioError, 403: StudioError, 404: StudioError,
                                        409: StudioError})
def asset_delete(course_id: str, asset_id: str) -> Any:
    """Delete a file from the course's draft."""
    refused = _refusal(course_id)
    if refused is not None:
        return refused
    try:
        service.remove_file(course_id, asset_id, user_id=current_user.id,
                            expected_version=request.context.query.expected_version)  # type: ignore[attr-defined]
    except AssetNotFound:
        return error(404, _("No file %(file)s in %(course)s.", file=asset_id, course=course_id))
    except VersionConflict:
        return _conflict()
    return "", 204


def _conflict() -> Response:
    return error(409, _("The course changed since this request was prepared (another author edited it): nothing "
                        "was changed. Reload the files and try again."))

