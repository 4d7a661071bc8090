"""Studio's "Files & uploads" page: ``/studio/course/<course_id>/files/`` (endpoint ``studio_files.files_page``).

The page lists the course draft's files (search, type filter, sort, pages), uploads one or many
(a plain form post; ``static/studio/files.js`` sends each file to the REST API with a progress bar
instead), locks and unlocks, and deletes after a confirmation. Lock and delete carry the draft
version the page was made from: when the course moved on meanwhile, the answer is 409 with a way
to reload. Every change is one draft version through :mod:`kampus_content.api` and goes live for
learners when the course is published.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user
from kampus_content.api import AssetNotFound, CourseNotFound, VersionConflict, VersionNotFound
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.wrappers import Response

from kampus import current_kampus
from kampus_studio.access import require_author
from kampus_studio.files import service
from kampus_studio.files.service import TYPE_GROUPS, FilePage, UploadRefused
from kampus_studio.pages import render_course_page
from kampus_studio.views import URL_PREFIX

bp = Blueprint("studio_files", __name__, url_prefix=URL_PREFIX + "/course/<course_id>/files")

SORT_CHOICES = ("date_added", "display_name", "content_type", "size")


def human_size(size: int) -> str:
    """A size for people: ``512 B``, ``1.5 KB``, ``20.0 MB``."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def _check_course(course_id: str) -> None:
    try:
        CourseKey.from_string(course_id)
    except InvalidKeyError:
        abort(404)
    require_author(course_id)


def _int_arg(name: str, default: int) -> int:
    try:
        return int(request.args.get(name, default))
    except (TypeError, ValueError):
        return default


def _listing() -> FilePage:
    course_id = request.view_args["course_id"] if request.view_args else ""
    rows = service.course_files(course_id)
    return service.page_of_files(
        rows, search=request.args.get("q", ""), asset_type=request.args.get("type", ""),
        sort=request.args.get("sort", "date_added"), direction=request.args.get("direction", "desc"),
        page=_int_arg("page", 1) - 1, page_size=int(current_kampus().settings.studio_files_page_size))


def _render(course_id: str, *, status: int = 200, error: str = "", conflict: bool = False,
            listing: FilePage | None = None) -> Any:
    try:
        listing = listing or _listing()
        version = service.draft_version(course_id)
    except (CourseNotFound, VersionNotFound):
        abort(404)
    body = render_course_page(
        "studio/files/files.html", course_id, "files", listing=listing, draft_version=version,
        type_groups=[*TYPE_GROUPS, service.OTHER], sort_choices=SORT_CHOICES, human_size=human_size,
        format_date=lambda when: format_datetime(when, "medium") if when else "",
        max_upload_bytes=service.max_upload_bytes(), max_upload_mb=current_kampus().settings.studio_max_upload_mb,
        upload_api=url_for("studio_files_api.asset_list", course_id=course_id),
        error=error, conflict=conflict, page_args=_page_args(listing))
    return body, status


def _page_args(listing: FilePage) -> dict[str, str]:
    """The listing's query (search, filter, sort) to keep in links."""
    args = {"q": listing.search, "type": listing.asset_type, "sort": listing.sort, "direction": listing.direction}
    return {name: value for name, value in args.items() if value}


def _back(course_id: str) -> Response:
    keep = {name: value for name, value in request.form.items() if name in ("q", "type", "sort", "direction", "page")
            and value}
    return redirect(url_for("studio_files.files_page", course_id=course_id, **keep), code=303)


def _conflict(course_id: str) -> Any:
    return _render(course_id, status=409, conflict=True,
                   error=_("This course changed since you loaded this page (another author edited it), so nothing "
                           "was changed. Reload the page to see the latest files, then try again."))


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(_error: Exception) -> Any:
    """A request over ``studio_upload_max_request_bytes``: nothing was read or stored."""
    course_id = request.view_args.get("course_id", "") if request.view_args else ""
    limit = service.max_upload_bytes() // service.MIB
    message = _("The upload is too large: each file may be at most %(limit)s MB. Nothing was uploaded.",
                limit=limit)
    try:
        require_author(course_id)
        return _render(course_id, status=413, error=message)
    except HTTPException:  # not an author: the size error alone
        return message, 413


@bp.get("/")
def files_page(course_id: str) -> Any:
    """The course's files: list, search, filter, sort, pages; upload, lock, delete."""
    _check_course(course_id)
    return _render(course_id)


@bp.post("/upload")
def upload(course_id: str) -> Any:
    """Upload the form's files (one or many); all are checked before any is stored."""
    _check_course(course_id)
    files = [storage for storage in request.files.getlist("file") if storage.filename]
    try:
        rows = service.upload_files(course_id, [(storage.filename, storage.stream) for storage in files],
                                    user_id=current_user.id, locked=request.form.get("locked") == "1")
    except UploadRefused as refused:
        return _render(course_id, status=refused.status, error=refused.message)
    except VersionConflict:
        return _conflict(course_id)
    except (CourseNotFound, VersionNotFound):
        abort(404)
    flash(_("Uploaded: %(names)s.", names=", ".join(row.display_name for row in rows)), "success")
    return _back(course_id)


upload.kampus_max_request_setting = "studio_upload_max_request_bytes"  # type: ignore[attr-defined]


@bp.post("/<path:name>/lock")
def lock(course_id: str, name: str) -> Any:
    """Lock (``locked=1``) or unlock (``locked=0``) a file."""
    _check_course(course_id)
    locked = request.form.get("locked") == "1"
    try:
        row = service.set_locked(course_id, name, locked, user_id=current_user.id,
                                 expected_version=request.form.get("expected_version"))
    except AssetNotFound:
        abort(404, _("There is no file %(name)s in this course.", name=name))
    except VersionConflict:
        return _conflict(course_id)
    except (CourseNotFound, VersionNotFound):
        abort(404)
    if locked:
        flash(_("%(name)s is locked: only learners enrolled in the course and its staff can get it.",
                name=row.display_name), "success")
    else:
        flash(_("%(name)s is unlocked: anyone with its link can get it.", name=row.display_name), "success")
    return _back(course_id)


@bp.route("/<path:name>/delete", methods=["GET", "POST"])
def delete(course_id: str, name: str) -> Any:
    """GET: ask for confirmation; POST: delete the file from the course."""
    _check_course(course_id)
    try:
        row = service.find_file(course_id, name)
    except (CourseNotFound, VersionNotFound):
        abort(404)
    if row is None:
        abort(404, _("There is no file %(name)s in this course.", name=name))
    if request.method == "GET":
        return render_course_page("studio/files/delete.html", course_id, "files", row=row,
                                  draft_version=service.draft_version(course_id))
    try:
        service.remove_file(course_id, name, user_id=current_user.id,
                            expected_version=request.form.get("expected_version"))
    except AssetNotFound:
        abort(404, _("There is no file %(name)s in this course.", name=name))
    except VersionConflict:
        return _conflict(course_id)
    flash(_("%(name)s was deleted. Pages that link to it will show a missing file.", name=row.display_name),
          "success")
    return _back(course_id)
