"""The import and export pages of a course in Studio (their work is done by :mod:`.rest` and the tasks)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from kampus_content.api import CourseNotFound
from werkzeug.wrappers import Response

from kampus.course_keys import is_course_id
from kampus.current import current_kampus
from kampus_studio.access import require_author
from kampus_studio.pages import render_course_page
from kampus_studio.transfer import rest, uploads

bp = Blueprint("studio_transfer", __name__, url_prefix="/studio/course/<course_id>")


def _check(course_id: str) -> None:
    if not is_course_id(course_id):
        abort(404)
    require_author(course_id)


@bp.get("/import")
def import_page(course_id: str) -> str:
    """Upload an OLX archive in resumable chunks, then follow the import's progress and its errors."""
    _check(course_id)
    latest = uploads.latest_upload(course_id)
    return render_course_page(
        "studio/transfer/import.html", course_id, "import",
        latest=uploads.upload_json(latest) if latest is not None else None,
        max_bytes=uploads.max_bytes(), chunk_bytes=uploads.chunk_bytes(),
        api_base=url_for("studio_transfer_api.start_upload", course_id=course_id),
        outline_url=f"/studio/course/{course_id}/",
    )


@bp.get("/export")
def export_page(course_id: str) -> str:
    """Start an export; with ``task_id``, its progress and the download link."""
    _check(course_id)
    status = None
    task_id = request.args.get("task_id", "")
    if task_id:
        record = rest.export_record(course_id, task_id)
        if record is None:
            abort(404)
        status = rest.export_status(course_id, record)
    return render_course_page(
        "studio/transfer/export.html", course_id, "export", status=status,
        status_url=url_for("studio_transfer_api.export_state", course_id=course_id, task_id=task_id)
        if task_id else None,
        ttl_hours=current_kampus().settings.content_export_ttl_hours,
    )


@bp.post("/export")
def export_start(course_id: str) -> Response:
    """Start the export task and show its page."""
    _check(course_id)
    try:
        task_id = rest.start_export(course_id)
    except CourseNotFound:
        abort(404, _("No such course."))
    if not current_user.is_authenticated:  # pragma: no cover - require_author answered already
        abort(401)
    return redirect(url_for(".export_page", course_id=course_id, task_id=task_id))
