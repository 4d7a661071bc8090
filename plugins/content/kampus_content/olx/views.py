"""Open edX's course import/export REST API: ``/api/courses/v0/import/<course_id>/`` and ``.../export/``.

POST starts a background task and answers ``{"task_id": ...}``; GET with
``task_id`` answers ``{"state": ...}`` in Open edX's UserTaskStatus words
(Pending, In Progress, Succeeded, Failed) plus Kampus's task record.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, jsonify, request, send_file
from flask_login import current_user
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey
from pydantic import BaseModel, Field, RootModel
from werkzeug.wrappers import Response

from kampus import current_kampus
from kampus.api_docs import ApiSection
from kampus.identity.permissions import has_permission
from kampus.tasks.api import AlreadyRunningError, get_record, submit
from kampus_content.olx.tasks import UPLOAD_PREFIX, export_expired

bp = Blueprint("content_olx", __name__)

olx_api = ApiSection("course import and export",
                     "Open edX's course import/export API: OLX .tar.gz archives, run as background tasks.",
                     errors="openedx")


class TaskQuery(BaseModel):
    task_id: str | None = Field(None, description="GET: the task to report on.")


class ImportUpload(BaseModel):
    course_data: bytes = Field(description="The course as an OLX .tar.gz archive.")


class ExportRequest(BaseModel):
    branch: str | None = Field(None, description="draft (default) or published.")


class TaskStarted(BaseModel):
    task_id: str
    filename: str | None = None


class TaskState(BaseModel):
    state: str = Field(description="Pending, In Progress, Succeeded or Failed (Open edX's UserTaskStatus words).")
    task: dict[str, object] = Field(description="Kampus's task record.")


class TaskAnswer(RootModel[TaskState | TaskStarted]):
    """POST: the started task; GET: its state."""


class OlxError(BaseModel):
    developer_message: str
    error_code: str


STATES = {"PENDING": "Pending", "STARTED": "In Progress", "PROGRESS": "In Progress", "SUCCESS": "Succeeded",
          "FAILURE": "Failed"}


def _error(status: int, message: str, code: str) -> Response:
    response = jsonify({"developer_message": message, "error_code": code})
    response.status_code = status
    return response


def _check(course_id: str) -> Response | None:
    if not current_user.is_authenticated:
        return _error(401, "Authentication credentials were not provided.", "not_authenticated")
    try:
        CourseKey.from_string(course_id)
    except InvalidKeyError:
        return _error(404, "The provided course key cannot be parsed.", "invalid_course_key")
    if not has_permission(current_user, "course.edit_content", course_id):
        return _error(403, "You do not have author access to this course.", "user_mismatch")
    return None


def _requested_task(course_id: str, task_name: str) -> Any:
    """The task record named by the ``task_id`` parameter, when it is a ``task_name`` task of this course."""
    record = get_record(request.args.get("task_id", ""))
    if record is None or record.name != task_name or record.course_id != course_id:
        return None
    return record


def _status(course_id: str, task_name: str) -> Response:
    record = _requested_task(course_id, task_name)
    if record is None:
        return _error(404, "No such task for this course.", "task_not_found")
    body = {"state": STATES.get(record.state, record.state), "task": record.to_json()}
    if not current_user.is_staff and body["task"]["error"]:
        body["task"]["error"] = body["task"]["error"].split("\n\n", 1)[0]
    return jsonify(body)


@bp.route("/api/courses/v0/import/<course_id>/", methods=["GET", "POST"])
@olx_api.doc(query=TaskQuery, form=ImportUpload, validate=False,
             resp={200: TaskAnswer, 400: OlxError, 401: OlxError, 403: OlxError, 404: OlxError, 409: OlxError})
def course_import(course_id: str) -> Response:
    """POST: import a course from an OLX archive (answers the task id); GET with ``task_id``: its state."""
    refused = _check(course_id)
    if refused is not None:
        return refused
    if request.method == "GET":
        return _status(course_id, "content.import_olx")
    upload = request.files.get("course_data")
    if upload is None or not upload.filename:
        return _error(400, "Missing required parameter course_data (a .tar.gz file).", "internal_error")
    if not upload.filename.endswith((".tar.gz", ".tgz")):
        return _error(400, "Parameter in the wrong format: course_data must be a .tar.gz file.", "internal_error")
    key = f"{UPLOAD_PREFIX}/{uuid.uuid4().hex}.tar.gz"
    current_kampus().blob_store.put(key, upload.stream, "application/gzip")
    try:
        record = submit("content.import_olx", course_id, key, upload.filename, user_id=current_user.id,
                        key=course_id, course_id=course_id)
    except AlreadyRunningError as exc:
        current_kampus().blob_store.delete(key)
        return _error(409, f"An import of this course is already running (task {exc.record_id}).", "already_running")
    return jsonify({"task_id": record.id, "filename": upload.filename})


course_import.kampus_max_request_setting = "content_import_max_bytes"  # type: ignore[attr-defined]


@bp.route("/api/courses/v0/export/<course_id>/", methods=["GET", "POST"])
@olx_api.doc(query=TaskQuery, form=ExportRequest, validate=False,
             resp={200: TaskAnswer, 401: OlxError, 403: OlxError, 404: OlxError})
def course_export(course_id: str) -> Response:
    """POST: export the course as an OLX archive (answers the task id); GET with ``task_id``: its state."""
    refused = _check(course_id)
    if refused is not None:
        return refused
    if request.method == "GET":
        return _status(course_id, "content.export_olx")
    record = submit("content.export_olx", course_id, request.values.get("branch", "draft"),
                    user_id=current_user.id, course_id=course_id)
    return jsonify({"task_id": record.id})


@bp.get("/api/courses/v0/export/<course_id>/output")
def course_export_output(course_id: str) -> Response:
    """The archive of a finished export (``?task_id=``), as application/gzip (not wrapped by the API
    documentation's validation, which would read the whole file into memory)."""
    refused = _check(course_id)
    if refused is not None:
        return refused
    record = _requested_task(course_id, "content.export_olx")
    if record is None:
        return _error(404, "No such export of this course.", "task_not_found")
    if record.state != "SUCCESS":
        return _error(409, "The export has not finished.", "not_finished")
    blobs = current_kampus().blob_store
    output = record.result["output"]
    if export_expired(record.finished_at) or not blobs.exists(output):
        blobs.delete(output)
        return _error(410, "This export has expired; start a new export of the course.", "export_expired")
    stream = blobs.open(output)
    filename = course_id.replace(":", "_").replace("+", "_") + ".tar.gz"
    return send_file(stream, mimetype="application/gzip", as_attachment=True, download_name=filename)
