"""Images for posts: Open edX's ``POST /api/discussion/v1/courses/<course_id>/upload`` (``UploadFileView``).

* ``POST`` multipart ``uploaded_file`` (and ``thread_key``, default ``root``) by a learner enrolled in the
  course or a member of its team -> ``{"location": absolute URL}``; no file -> 400 ``no `uploaded_file` was
  provided``; Open edX's file types (``.jpg .jpeg .gif .bmp .png .tiff``) and size (1 MiB,
  ``forums_upload_max_bytes``) else 400;
* the file is kept in the app's blob store as ``forums/uploads/<course_id>/<thread_key>/<uuid><ext>``, as
  Open edX stores ``<course_id>/<thread_key>/<uuid>``; the location is the store's own URL when it has
  public URLs, else ``GET /discussion/uploads/<course_id>/<thread_key>/<name>``, which serves it as an image
  (``nosniff``, a sandboxing Content-Security-Policy) to anyone with the link, as Open edX's storage does.
"""

from __future__ import annotations

import posixpath
import re
import uuid

from flask import Blueprint, abort, request, send_file, url_for
from kampus_lms import api as lms
from pydantic import BaseModel, Field
from werkzeug.wrappers import Response

from kampus.current import current_kampus
from kampus.drivers.blob_store import BlobNotFoundError, check_key, guess_content_type
from kampus_forums.rest.common import course_user, discussion_api, error, field_error

bp = Blueprint("forums_uploads", __name__)
lms.install_error_handler(bp)

#: Open edX's ``ALLOWED_UPLOAD_FILE_TYPES`` (django_comment_client/settings.py).
ALLOWED_UPLOAD_FILE_TYPES = (".jpg", ".jpeg", ".gif", ".bmp", ".png", ".tiff")
NO_FILE = "no `uploaded_file` was provided"
PREFIX = "forums/uploads"
_THREAD_KEY = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
#: An uploaded image opened on its own may run nothing.
UPLOAD_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


class UploadAnswer(BaseModel):
    """Where the uploaded file can be fetched."""

    location: str = Field(description="Absolute URL of the stored file.")


class UploadError(BaseModel):
    developer_message: str


@bp.post("/api/discussion/v1/courses/<course_id>/upload")
@discussion_api.doc(resp={200: UploadAnswer, 400: UploadError, 401: UploadError, 404: UploadError})
def upload(course_id: str) -> Response:
    """Store an image for a post (multipart ``uploaded_file``, ``thread_key``); answers its location."""
    who = course_user(course_id)
    uploaded = request.files.get("uploaded_file")
    if uploaded is None or not uploaded.filename:
        raise error(400, NO_FILE)
    thread_key = request.form.get("thread_key") or "root"
    if not _THREAD_KEY.match(thread_key):
        raise field_error({"thread_key": "Use letters, digits, '_' and '-' only (at most 64)."})
    extension = posixpath.splitext(uploaded.filename.replace("\\", "/"))[1].lower()
    if extension not in ALLOWED_UPLOAD_FILE_TYPES:
        raise error(400, "The file must end with one of the following extensions: '"
                    + "', '".join(ALLOWED_UPLOAD_FILE_TYPES) + "'.")
    limit = int(current_kampus().settings.forums_upload_max_bytes)
    data = uploaded.stream.read(limit + 1)
    if len(data) > limit:
        raise error(400, f"Maximum upload file size is {limit} bytes.")
    name = f"{who.course_id}/{thread_key}/{uuid.uuid4().hex}{extension}"
    blobs = current_kampus().blob_store
    key = f"{PREFIX}/{name}"
    blobs.put(key, data, guess_content_type(key))
    location = blobs.url(key) or lms.absolute(url_for("forums_uploads.uploaded", name=name))
    return lms.json_answer({"location": location})


@bp.get("/discussion/uploads/<path:name>", endpoint="uploaded")
def uploaded(name: str) -> Response:
    """An image uploaded for a post (404 when there is none by that name)."""
    key = f"{PREFIX}/{name}"
    try:
        check_key(key)
    except ValueError:
        abort(404)
    if posixpath.splitext(key)[1].lower() not in ALLOWED_UPLOAD_FILE_TYPES:
        abort(404)
    blobs = current_kampus().blob_store
    try:
        stream = blobs.open(key)
    except BlobNotFoundError:
        abort(404)
    response: Response = send_file(stream, mimetype=guess_content_type(key), max_age=365 * 24 * 3600,
                                   conditional=False)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = UPLOAD_CSP
    return response


upload.kampus_max_request_setting = "forums_upload_max_request_bytes"  # type: ignore[attr-defined]
