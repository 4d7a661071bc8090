"""Studio's REST API for course import and export, under ``/api/studio/v1/courses/<course_id>/``.

Import (resumable, see :mod:`kampus_studio.transfer.uploads`):

* ``POST import/uploads/`` ``{"filename", "size"}``: start an upload (201: ``upload_id``,
  ``next_offset``, ``chunk_size``);
* ``PUT import/uploads/<upload_id>`` with the chunk as the body and ``Content-Range: bytes
  <first>-<last>/<size>``: store a chunk (200 ``next_offset``; 409 with ``next_offset`` when the
  server expects another offset: resume from there). Optional header ``X-Kampus-File-Fingerprint``: the
  SHA-256 (hex) of the file's first 64 KiB, sent with every chunk: resuming with another file answers 409
  ``different_file``. At most ``studio_import_max_open_uploads_per_user`` / ``..._per_course`` unfinished
  uploads (429 ``too_many_uploads``);
* ``GET import/uploads/<upload_id>``: the upload, its import task's progress, errors (file, line) and
  warnings; ``POST import/uploads/<upload_id>/finish``: start the import (202 with ``task_id``).

Export: ``POST export/`` starts the export task (202 ``task_id``); ``GET export/<task_id>`` its state
and, once done, ``download_url``; ``GET export/<task_id>/download`` the ``.tar.gz``. The kernel's
``/api/tasks/v1/tasks/<task_id>`` shows the same records.

Errors have Open edX's body (``developer_message``, ``user_message``, ``error_code``).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from kampus_content.api import CourseNotFound, content_store
from pydantic import BaseModel, Field
from werkzeug.wrappers import Response

from kampus.api_docs import ApiSection
from kampus.course_keys import is_course_id
from kampus.current import current_kampus
from kampus.tasks.api import SUCCESS, get_record, submit
from kampus_studio.access import can_author
from kampus_studio.transfer import uploads
from kampus_studio.transfer.uploads import UploadError

bp = Blueprint("studio_transfer_api", __name__, url_prefix="/api/studio/v1")
transfer_api = ApiSection("studio-import-export",
                          "Studio: import a course from an OLX .tar.gz in resumable chunks, export it.",
                          errors="openedx")

EXPORT_TASK = "content.export_olx"


class TransferError(BaseModel):
    """Open edX's error body; ``next_offset`` tells an upload where to resume."""

    developer_message: str
    user_message: str
    error_code: str
    next_offset: int | None = None
    task_id: str | None = None


class NewUpload(BaseModel):
    filename: str = Field(description="The archive's file name (.tar.gz).")
    size: int = Field(description="The archive's size in bytes.")


class Problem(BaseModel):
    file: str
    line: int | None
    message: str


class UploadProgress(BaseModel):
    state: str
    percent: float
    message: str


class Upload(BaseModel):
    upload_id: str
    course_id: str
    filename: str
    size: int
    next_offset: int = Field(description="The byte the server expects next.")
    chunk_size: int = Field(description="The largest chunk the server accepts.")
    state: str = Field(description="uploading, importing, succeeded or failed.")
    task_id: str | None
    progress: UploadProgress | None
    errors: list[Problem]
    warnings: list[Problem]
    result: dict[str, Any] | None


class ChunkStored(BaseModel):
    upload_id: str
    next_offset: int
    complete: bool


class ExportStarted(BaseModel):
    task_id: str
    status_url: str


class ExportStatus(BaseModel):
    task_id: str
    state: str
    percent: float
    message: str
    error: str | None
    download_url: str | None


def _error(status: int, message: str, code: str, **extra: Any) -> Response:
    response = jsonify({"developer_message": message, "user_message": message, "error_code": code, **extra})
    response.status_code = status
    return response


def _refused(course_id: str) -> Response | None:
    """401/403/404 for requests that may not import or export the course."""
    if not current_user.is_authenticated:
        return _error(401, _("Authentication credentials were not provided."), "not_authenticated")
    if not is_course_id(course_id):
        return _error(404, _("The provided course key cannot be parsed."), "invalid_course_key")
    if not can_author(course_id):
        return _error(403, _("You do not have author access to this course."), "user_mismatch")
    return None


def _upload_error(exc: UploadError) -> Response:
    return _error(exc.status, exc.message, exc.code, **exc.extra)


@bp.post("/courses/<course_id>/import/uploads/")
@transfer_api.doc(json=NewUpload, validate=False,
                  resp={201: Upload, 400: TransferError, 401: TransferError, 403: TransferError,
                        404: TransferError, 413: TransferError, 429: TransferError})
def start_upload(course_id: str) -> Response:
    """Start the resumable upload of an OLX archive into the course."""
    refused = _refused(course_id)
    if refused is not None:
        return refused
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _error(400, _("Send {\"filename\": ..., \"size\": ...} as JSON."), "bad_request")
    try:
        upload = uploads.start_upload(course_id, current_user.id, str(body.get("filename") or ""), body.get("size"))
    except UploadError as exc:
        return _upload_error(exc)
    response = jsonify(uploads.upload_json(upload))
    response.status_code = 201
    response.headers["Location"] = url_for(".upload_status", course_id=course_id, upload_id=upload.id)
    return response


@bp.get("/courses/<course_id>/import/uploads/<upload_id>")
@transfer_api.doc(resp={200: Upload, 401: TransferError, 403: TransferError, 404: TransferError})
def upload_status(course_id: str, upload_id: str) -> Response:
    """The upload: the offset to resume from, its import's progress, errors and warnings."""
    refused = _refused(course_id)
    if refused is not None:
        return refused
    try:
        return jsonify(uploads.upload_json(uploads.get_upload(course_id, upload_id)))
    except UploadError as exc:
        return _upload_error(exc)


@bp.put("/courses/<course_id>/import/uploads/<upload_id>")
@transfer_api.doc(resp={200: ChunkStored, 400: TransferError, 401: TransferError, 403: TransferError,
                        404: TransferError, 409: TransferError, 413: TransferError})
def put_chunk(course_id: str, upload_id: str) -> Response:
    """Store one chunk (the request body), named by ``Content-Range: bytes <first>-<last>/<size>``.

    Send ``X-Kampus-File-Fingerprint`` (SHA-256 hex of the file's first 64 KiB) with every chunk to be sure a
    resumed upload goes on with the same file (409 ``different_file`` otherwise)."""
    refused = _refused(course_id)
    if refused is not None:
        return refused
    try:
        upload = uploads.get_upload(course_id, upload_id)
        content_range = uploads.parse_content_range(request.headers.get("Content-Range"))
        declared = request.content_length
        if declared is not None and declared > uploads.chunk_bytes():
            raise UploadError(413, _("Chunks may be at most %(size)s bytes.", size=uploads.chunk_bytes()),
                              "chunk_too_large",
                              next_offset=upload.received)
        data = request.stream.read(uploads.chunk_bytes() + 1)
        upload = uploads.put_chunk(upload, content_range, data,
                                   fingerprint=request.headers.get("X-Kampus-File-Fingerprint"))
    except UploadError as exc:
        return _upload_error(exc)
    return jsonify({"upload_id": upload.id, "next_offset": upload.received,
                    "complete": upload.received == upload.size})


@bp.post("/courses/<course_id>/import/uploads/<upload_id>/finish")
@transfer_api.doc(resp={202: Upload, 401: TransferError, 403: TransferError, 404: TransferError,
                        409: TransferError, 503: TransferError})
def finish_upload(course_id: str, upload_id: str) -> Response:
    """Import the complete upload as a background task (its progress: ``GET`` the upload)."""
    refused = _refused(course_id)
    if refused is not None:
        return refused
    try:
        upload = uploads.finish_upload(uploads.get_upload(course_id, upload_id))
    except UploadError as exc:
        return _upload_error(exc)
    response = jsonify(uploads.upload_json(upload))
    response.status_code = 202
    return response


# -- export ---------------------------------------------------------------------------------------------------


def start_export(course_id: str) -> str:
    """Start the export of the course's draft (the content plugin's task); returns the task id."""
    content_store().get_course_index(course_id)  # CourseNotFound for a course that does not exist
    return submit(EXPORT_TASK, course_id, "draft", user_id=current_user.id, course_id=course_id).id


def export_record(course_id: str, task_id: str) -> Any:
    """The export task ``task_id`` of the course, or ``None``."""
    record = get_record(task_id) if task_id else None
    if record is None or record.name != EXPORT_TASK or record.course_id != course_id:
        return None
    return record


def export_status(course_id: str, record: Any) -> dict[str, Any]:
    """An export task as the API and the export page show it."""
    done = record.state == SUCCESS and current_kampus().blob_store.exists((record.result or {}).get("output", ""))
    return {"task_id": record.id, "state": record.state, "percent": round(record.percent, 1),
            "message": record.progress_message, "error": record.public_error(full=True) if record.error else None,
            "download_url": url_for("studio_transfer_api.export_download", course_id=course_id, task_id=record.id)
            if done else None}


@bp.post("/courses/<course_id>/export/")
@transfer_api.doc(resp={202: ExportStarted, 401: TransferError, 403: TransferError, 404: TransferError})
def export_start(course_id: str) -> Response:
    """Export the course (its draft, unpublished units under ``drafts/``) as an OLX ``.tar.gz``."""
    refused = _refused(course_id)
    if refused is not None:
        return refused
    try:
        task_id = start_export(course_id)
    except CourseNotFound:
        return _error(404, _("No such course."), "course_not_found")
    response = jsonify({"task_id": task_id,
                        "status_url": url_for(".export_state", course_id=course_id, task_id=task_id)})
    response.status_code = 202
    return response


@bp.get("/courses/<course_id>/export/<task_id>")
@transfer_api.doc(resp={200: ExportStatus, 401: TransferError, 403: TransferError, 404: TransferError})
def export_state(course_id: str, task_id: str) -> Response:
    """The export's state and progress; ``download_url`` once the archive is ready."""
    refused = _refused(course_id)
    if refused is not None:
        return refused
    record = export_record(course_id, task_id)
    if record is None:
        return _error(404, _("No such export of this course."), "task_not_found")
    return jsonify(export_status(course_id, record))


@bp.get("/courses/<course_id>/export/<task_id>/download")
def export_download(course_id: str, task_id: str) -> Response:
    """The exported archive (``application/gzip``); 409 before the export finished, 410 once it expired.
    (Listed in the API document from its path; not wrapped by its validation, which would read the
    whole file into memory.)"""
    refused = _refused(course_id)
    if refused is not None:
        return refused
    record = export_record(course_id, task_id)
    if record is None:
        return _error(404, _("No such export of this course."), "task_not_found")
    if record.state != SUCCESS:
        return _error(409, _("The export has not finished."), "not_finished")
    output = (record.result or {}).get("output", "")
    blobs = current_kampus().blob_store
    if not output or not blobs.exists(output):
        return _error(410, _("This export has expired; export the course again."), "export_expired")
    filename = course_id.replace(":", "_").replace("+", "_") + ".tar.gz"
    return send_file(blobs.open(output), mimetype="application/gzip", as_attachment=True, download_name=filename)
