"""Resumable uploads of OLX archives, then their import as a background task.

An upload is started with the archive's name and size (bounded by ``studio_import_max_bytes``);
its chunks (at most ``studio_import_chunk_bytes`` each, Open edX Studio's 20 MB by default) arrive
in order, each with ``Content-Range: bytes <first>-<last>/<size>``. Each chunk is kept as a blob
(``studio-uploads/<upload>/<n>``) and only then counted, with a compare-and-set on the bytes
received: a chunk cut short by a dropped connection is refused and not counted, a chunk sent twice
is refused with the offset the server expects, and the page resumes from there.

Once every byte arrived, :func:`finish_upload` starts ``studio.import_course``: the chunks are
joined into one file and imported by the content plugin (:func:`kampus_content.api.import_archive`);
the outcome (errors with file and line, warnings such as skipped drafts) is kept on the upload for
the page and the API. Uploads left unfinished are swept after ``studio_upload_ttl_hours``.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from kampus_content.api import ImportRefused, UnsafeInput, import_archive

from kampus import db
from kampus.current import current_kampus
from kampus.db import utcnow
from kampus.tasks.api import AlreadyRunningError, TaskContext, get_record, submit, task_name
from kampus_studio.transfer.models import FAILED, IMPORTING, SUCCEEDED, UPLOADING, StudioUpload

CHUNK_PREFIX = "studio-uploads"
IMPORT_TASK = "studio.import_course"
GZIP_MAGIC = b"\x1f\x8b"
_RANGE = re.compile(r"^bytes (\d{1,19})-(\d{1,19})/(\d{1,19})$")
#: How many first bytes of a file name it (see :func:`first_bytes_digest`).
FINGERPRINT_BYTES = 64 * 1024
#: An upload marked importing whose task was never recorded (the queue failed) is put back after this.
STUCK_IMPORT_MINUTES = 10


class UploadError(Exception):
    """A refused upload request: ``status`` (4xx), a message for the author and a code."""

    def __init__(self, status: int, message: str, code: str, **extra: Any):
        super().__init__(message)
        self.status, self.message, self.code, self.extra = status, message, code, extra


@dataclass(frozen=True)
class ContentRange:
    first: int
    last: int
    total: int


def parse_content_range(header: str | None) -> ContentRange:
    """``bytes <first>-<last>/<total>``, checked; :class:`UploadError` 400 otherwise."""
    match = _RANGE.match((header or "").strip())
    if not match:
        raise UploadError(400, _("Each chunk needs a Content-Range header: bytes <first>-<last>/<size>."),
                          "bad_content_range")
    first, last, total = (int(group) for group in match.groups())
    if last < first or last >= total:
        raise UploadError(400, _("The Content-Range bytes %(first)s-%(last)s/%(total)s is not a range of the file.",
                                           first=first, last=last, total=total),
                          "bad_content_range")
    return ContentRange(first, last, total)


def chunk_key(upload_id: str, index: int) -> str:
    """The blob key of chunk number ``index`` of an upload."""
    return f"{CHUNK_PREFIX}/{upload_id}/{index:06d}"


def max_bytes() -> int:
    """The largest archive accepted (``studio_import_max_bytes``)."""
    return int(current_kampus().settings.studio_import_max_bytes)


def chunk_bytes() -> int:
    """The largest chunk accepted (``studio_import_chunk_bytes``, within ``max_request_bytes`` less room for
    the request's headers); pages send chunks of this size."""
    settings = current_kampus().settings
    return max(1, min(int(settings.studio_import_chunk_bytes), int(settings.max_request_bytes) - 64 * 1024))


def get_upload(course_id: str, upload_id: str) -> StudioUpload:
    """The upload ``upload_id`` of the course, or :class:`UploadError` 404."""
    upload = db.session().get(StudioUpload, upload_id) if re.fullmatch(r"[0-9a-f]{32}", upload_id) else None
    if upload is None or upload.course_id != course_id:
        raise UploadError(404, _("No such upload for this course."), "upload_not_found")
    return upload


def latest_upload(course_id: str) -> StudioUpload | None:
    """The course's most recent upload, for the import page."""
    query = (sa.select(StudioUpload).where(StudioUpload.course_id == course_id)
             .order_by(StudioUpload.created_at.desc()).limit(1))
    return db.session().scalars(query).first()


def discard_chunks(upload_id: str) -> None:
    """Delete the chunks of an upload from the blob store."""
    blobs = current_kampus().blob_store
    for key in list(blobs.list(f"{CHUNK_PREFIX}/{upload_id}/")):
        blobs.delete(key)


def sweep_stale_uploads() -> int:
    """Delete the uploads left unfinished longer than ``studio_upload_ttl_hours`` (and their chunks), and put
    back to ``uploading`` the uploads marked importing whose task was never started (so they can be finished
    again, or swept in turn). Runs on every start and finish of an upload."""
    now = utcnow()
    cutoff = now - timedelta(hours=int(current_kampus().settings.studio_upload_ttl_hours))
    session = db.session()
    session.execute(sa.update(StudioUpload).where(
        StudioUpload.state == IMPORTING, StudioUpload.task_id.is_(None),
        StudioUpload.updated_at < now - timedelta(minutes=STUCK_IMPORT_MINUTES)).values(state=UPLOADING))
    stale = list(session.scalars(sa.select(StudioUpload).where(
        StudioUpload.state == UPLOADING, StudioUpload.updated_at < cutoff)))
    for upload in stale:
        discard_chunks(upload.id)
        session.delete(upload)
    session.commit()
    return len(stale)


def _check_open_uploads(course_id: str, user_id: int | None) -> None:
    """429 when the user (``studio_import_max_open_uploads_per_user``) or the course
    (``studio_import_max_open_uploads_per_course``) already has that many unfinished uploads."""
    settings = current_kampus().settings
    session = db.session()
    open_uploads = sa.select(sa.func.count()).select_from(StudioUpload).where(StudioUpload.state == UPLOADING)
    if user_id is not None:
        mine = session.scalar(open_uploads.where(StudioUpload.user_id == user_id)) or 0
        if mine >= int(settings.studio_import_max_open_uploads_per_user):
            raise UploadError(429, _("You have too many unfinished uploads; finish them or wait until they "
                                     "expire."), "too_many_uploads")
    in_course = session.scalar(open_uploads.where(StudioUpload.course_id == course_id)) or 0
    if in_course >= int(settings.studio_import_max_open_uploads_per_course):
        raise UploadError(429, _("This course has too many unfinished uploads; finish them or wait until they "
                                 "expire."), "too_many_uploads")


def start_upload(course_id: str, user_id: int | None, filename: str, size: int) -> StudioUpload:
    """Start the upload of an archive of ``size`` bytes into the course."""
    name = (filename or "").strip().replace("\\", "/").rsplit("/", 1)[-1]
    if not name.lower().endswith((".tar.gz", ".tgz")):
        raise UploadError(400, _("Only OLX course archives (.tar.gz) can be imported."), "wrong_format")
    if len(name) > 255:
        raise UploadError(400, _("The file name is too long."), "wrong_format")
    if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
        raise UploadError(400, _("The archive's size (bytes) must be a positive number."), "bad_size")
    if size > max_bytes():
        raise UploadError(413, _("The archive is %(size)s bytes; the largest archive this site imports is "
                                 "%(limit)s bytes.", size=size, limit=max_bytes()), "too_large")
    sweep_stale_uploads()
    _check_open_uploads(course_id, user_id)
    upload = StudioUpload(id=uuid.uuid4().hex, course_id=course_id, user_id=user_id, filename=name, size=size,
                          received=0, chunks=0, state=UPLOADING, created_at=utcnow(), updated_at=utcnow())
    session = db.session()
    session.add(upload)
    session.commit()
    return upload


def first_bytes_digest(data: bytes) -> str:
    """The SHA-256 (hex) of a file's first :data:`FINGERPRINT_BYTES` bytes, which names the file an upload is of."""
    return hashlib.sha256(data[:FINGERPRINT_BYTES]).hexdigest()


def _fingerprint_key(upload_id: str) -> str:
    return f"{CHUNK_PREFIX}/{upload_id}/fingerprint"


def _check_same_file(upload: StudioUpload, content_range: ContentRange, data: bytes, fingerprint: str | None) -> None:
    """A client resuming an upload names its file by :func:`first_bytes_digest`: another file is refused."""
    if not fingerprint:
        return
    fingerprint = fingerprint.strip().lower()
    if content_range.first == 0:
        if len(data) >= min(FINGERPRINT_BYTES, upload.size) and first_bytes_digest(data) != fingerprint:
            raise UploadError(400, _("The file's fingerprint does not match its first bytes."), "bad_fingerprint")
        return
    blobs = current_kampus().blob_store
    key = _fingerprint_key(upload.id)
    if blobs.exists(key) and blobs.get(key).decode("ascii", "replace") != fingerprint:
        raise UploadError(409, _("This upload is of another file: start a new upload for this one."),
                          "different_file")


def put_chunk(upload: StudioUpload, content_range: ContentRange, data: bytes,
              fingerprint: str | None = None) -> StudioUpload:
    """Store the next chunk of ``upload``; :class:`UploadError` when it is not the expected one. ``fingerprint``
    (:func:`first_bytes_digest` of the whole file, optional) makes sure a resumed upload goes on with the same
    file."""
    if upload.state != UPLOADING:
        raise UploadError(409, _("This upload is complete; start a new one to import again."), "upload_finished",
                          next_offset=upload.received)
    if content_range.total != upload.size:
        raise UploadError(400, _("The Content-Range names a file of %(total)s bytes; this upload is of %(size)s "
                                 "bytes.", total=content_range.total, size=upload.size), "bad_content_range")
    if content_range.first != upload.received:
        raise UploadError(409, _("The server expects the chunk starting at byte %(offset)s; resume from there.",
                                 offset=upload.received), "wrong_offset", next_offset=upload.received)
    expected = content_range.last - content_range.first + 1
    if expected > chunk_bytes():
        raise UploadError(413, _("Chunks may be at most %(size)s bytes.", size=chunk_bytes()), "chunk_too_large",
                          next_offset=upload.received)
    if len(data) != expected:
        raise UploadError(400, _("The chunk was cut short (%(got)s of %(expected)s bytes arrived); send it again.",
                                           got=len(data), expected=expected),
                          "incomplete_chunk", next_offset=upload.received)
    if content_range.first == 0 and not data.startswith(GZIP_MAGIC):
        raise UploadError(400, _("This file is not a .tar.gz archive (it does not start as gzip data)."),
                          "wrong_format", next_offset=0)
    _check_same_file(upload, content_range, data, fingerprint)
    # The chunk is claimed first (compare-and-set on the bytes received), then written: a concurrent request
    # sending the same range loses the claim and writes nothing, so it cannot replace a counted chunk.
    index = upload.chunks
    session = db.session()
    claimed = sa.update(StudioUpload).where(
        StudioUpload.id == upload.id, StudioUpload.received == content_range.first,
        StudioUpload.chunks == index, StudioUpload.state == UPLOADING)
    moved = session.execute(claimed.values(received=content_range.last + 1, chunks=index + 1,
                                           updated_at=utcnow())).rowcount
    session.commit()
    if moved != 1:
        session.refresh(upload)
        raise UploadError(409, _("Another request sent this chunk; the server expects byte %(offset)s.",
                                 offset=upload.received), "wrong_offset", next_offset=upload.received)
    try:
        current_kampus().blob_store.put(chunk_key(upload.id, index), data, "application/octet-stream")
        if index == 0 and len(data) >= min(FINGERPRINT_BYTES, upload.size):
            current_kampus().blob_store.put(_fingerprint_key(upload.id), first_bytes_digest(data).encode(),
                                            "text/plain")
    except Exception:
        session.execute(sa.update(StudioUpload).where(
            StudioUpload.id == upload.id, StudioUpload.received == content_range.last + 1,
            StudioUpload.chunks == index + 1).values(received=content_range.first, chunks=index))
        session.commit()
        raise
    session.refresh(upload)
    return upload


def finish_upload(upload: StudioUpload) -> StudioUpload:
    """Start the import of a complete upload (``studio.import_course``, one per course at a time)."""
    if upload.state != UPLOADING:
        raise UploadError(409, _("This upload was already imported."), "upload_finished")
    if upload.received != upload.size:
        raise UploadError(409, _("The upload is incomplete: %(received)s of %(size)s bytes arrived.",
                                           received=upload.received, size=upload.size),
                          "incomplete_upload", next_offset=upload.received)
    sweep_stale_uploads()
    session = db.session()
    moved = session.execute(sa.update(StudioUpload).where(StudioUpload.id == upload.id,
                                                          StudioUpload.state == UPLOADING)
                            .values(state=IMPORTING, updated_at=utcnow())).rowcount
    session.commit()
    if moved != 1:
        raise UploadError(409, _("This upload was already imported."), "upload_finished")

    def back_to_uploading() -> None:
        session.rollback()
        session.execute(sa.update(StudioUpload).where(StudioUpload.id == upload.id)
                        .values(state=UPLOADING, updated_at=utcnow()))
        session.commit()

    try:
        record = submit(IMPORT_TASK, upload.id, user_id=upload.user_id, key=f"studio-import:{upload.course_id}",
                        course_id=upload.course_id)
    except AlreadyRunningError as exc:
        back_to_uploading()
        raise UploadError(409, _("An import of this course is already running; wait for it to finish."),
                          "already_running", task_id=exc.record_id) from None
    except Exception:
        # The queue refused the task (a broker down...): the upload stays complete and can be finished again.
        back_to_uploading()
        current_app.logger.exception("studio: the import of upload %s could not be queued", upload.id)
        raise UploadError(503, _("The import could not be started (the task queue is unavailable); nothing was "
                                 "changed. Try again in a moment."), "queue_unavailable") from None
    session.execute(sa.update(StudioUpload).where(StudioUpload.id == upload.id).values(task_id=record.id))
    session.commit()
    session.refresh(upload)
    return upload


def upload_json(upload: StudioUpload) -> dict[str, Any]:
    """An upload as the API and the page's script see it (with its import task's progress)."""
    progress = None
    if upload.task_id:
        record = get_record(upload.task_id)
        if record is not None:
            progress = {"state": record.state, "percent": round(record.percent, 1),
                        "message": record.progress_message}
    return {
        "upload_id": upload.id, "course_id": upload.course_id, "filename": upload.filename, "size": upload.size,
        "next_offset": upload.received, "chunk_size": chunk_bytes(), "state": upload.state,
        "task_id": upload.task_id, "progress": progress, "errors": upload.errors or [],
        "warnings": upload.warnings or [], "result": upload.result,
    }


def _problems(problems: list[tuple[str, int | None, str]] | tuple[tuple[str, int | None, str], ...]
              ) -> list[dict[str, Any]]:
    return [{"file": file, "line": line, "message": message} for file, line, message in problems]


def _record_outcome(upload_id: str, **values: Any) -> None:
    kampus = current_kampus()
    with kampus.db.session_scope() as session:
        session.execute(sa.update(StudioUpload).where(StudioUpload.id == upload_id)
                        .values(updated_at=utcnow(), **values))


@task_name(IMPORT_TASK)
def import_course(task: TaskContext, upload_id: str) -> dict[str, Any]:
    """Join the chunks of ``upload_id`` and import the archive into its course (idempotent: a finished
    upload is not imported again; a re-run after a lost worker imports the same chunks again)."""
    with task.kampus.db.session_scope() as session:
        upload = session.get(StudioUpload, upload_id)
        if upload is None:
            raise ValueError(f"no upload {upload_id}")
        if upload.state in (SUCCEEDED, FAILED):
            return dict(upload.result or {"state": upload.state})
        course_id, chunks, size = upload.course_id, upload.chunks, upload.size
    blobs = task.kampus.blob_store
    task.progress(0, 4, "Joining the uploaded chunks")
    with tempfile.TemporaryDirectory(prefix="kampus-studio-import-") as tmp:
        archive = Path(tmp) / "course.tar.gz"
        with archive.open("wb") as target:
            for index in range(chunks):
                with blobs.open(chunk_key(upload_id, index)) as source:
                    while block := source.read(1024 * 1024):
                        target.write(block)
        if archive.stat().st_size != size:
            _record_outcome(upload_id, state=FAILED, errors=[
                {"file": "", "line": None, "message": "The uploaded chunks do not add up to the archive; upload "
                 "it again."}])
            discard_chunks(upload_id)
            raise ValueError("the uploaded chunks do not add up to the archive")
        try:
            result = import_archive(archive, course_key=course_id, user_id=task.user_id, progress=task.progress)
        except UnsafeInput as exc:
            _record_outcome(upload_id, state=FAILED, errors=_problems(exc.problems))
            discard_chunks(upload_id)
            raise ValueError(f"the archive was refused: {len(exc.problems)} problem(s)") from None
        except ImportRefused as exc:
            _record_outcome(upload_id, state=FAILED, errors=[{"file": "", "line": None, "message": str(exc)}])
            discard_chunks(upload_id)
            raise
        except Exception:
            _record_outcome(upload_id, state=FAILED, errors=[
                {"file": "", "line": None, "message": "The import failed on the server; nothing was changed."}])
            discard_chunks(upload_id)
            raise
    outcome = {"course_key": result.course_key, "version": result.version, "blocks": result.blocks,
               "files": result.files, "draft_blocks": result.draft_blocks, "filename": "course.tar.gz"}
    _record_outcome(upload_id, state=SUCCEEDED, result=outcome, warnings=_problems(result.warnings), errors=[])
    discard_chunks(upload_id)
    return outcome
