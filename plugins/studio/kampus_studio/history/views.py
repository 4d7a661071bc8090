"""Studio's history pages: the versions of a course, what one changed, and "Revert to this version"."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from kampus_content.api import CourseNotFound, VersionConflict, VersionNotFound
from werkzeug.wrappers import Response

from kampus.course_keys import is_course_id
from kampus_studio.access import require_author
from kampus_studio.history import service
from kampus_studio.pages import render_course_page

bp = Blueprint("studio_history", __name__, url_prefix="/studio/course/<course_id>/history")


def _check(course_id: str) -> None:
    if not is_course_id(course_id):
        abort(404)
    require_author(course_id)


def _int_arg(name: str, default: int) -> int:
    try:
        return int(request.args.get(name, default))
    except ValueError:
        abort(400, _("'%(name)s' must be a number.", name=name))


@bp.get("")
def history_page(course_id: str) -> str:
    """The course's versions, newest first, paginated; published ones marked."""
    _check(course_id)
    try:
        page = service.history_page(course_id, _int_arg("page", 1))
    except CourseNotFound:
        abort(404)
    return render_course_page("studio/history/history.html", course_id, "history", history=page)


@bp.get("/<version>")
def diff_page(course_id: str, version: str) -> str:
    """What ``version`` changed from its predecessor, or from ``?against=`` any other version."""
    _check(course_id)
    against = request.args.get("against") or None
    try:
        changes = service.diff(course_id, version, against)
        recent = service.history_page(course_id, 1, service.MAX_PAGE_SIZE)
    except (VersionNotFound, CourseNotFound):
        abort(404)
    return render_course_page("studio/history/diff.html", course_id, "history", diff=changes, version=version,
                              against=against or changes.old_version, recent=recent)


@bp.post("/<version>/revert")
def revert(course_id: str, version: str) -> Response | tuple[str, int]:
    """Make the draft equal to ``version`` again (``expected_version``: the draft the page was made from)."""
    _check(course_id)
    expected = request.form.get("expected_version", "")
    if not expected:
        abort(400, _("The form lacks the draft version it was made from; reload the page."))
    try:
        service.revert(course_id, version, user_id=current_user.id, expected_version=expected)
    except VersionNotFound:
        abort(404)
    except VersionConflict:
        return render_course_page("studio/history/conflict.html", course_id, "history"), 409
    flash(_("The draft is now equal to version %(version)s. Publish it to show it to learners.",
            version=version[:8]), "success")
    return redirect(url_for(".history_page", course_id=course_id))
