"""The dashboard's shared web pieces: the ``instructor`` blueprint (static files; ``/courses/<id>/instructor``
opens the first section the user may see) and the "Instructor" course tab."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from kampus.identity.permissions import has_permission
from kampus_instructor.pages import all_sections
from kampus_instructor.sections import visible_sections

bp = Blueprint("instructor", __name__, static_folder="static/instructor", static_url_path="/static/instructor")


@bp.get("/courses/<course_id>/instructor")
def dashboard(course_id: str) -> Response:
    """Open edX's dashboard URL: the first section the user may open."""
    if not current_user.is_authenticated:
        abort(401)
    sections = visible_sections(all_sections(), current_user, course_id)
    if not sections:
        abort(403)
    return redirect(sections[0]["url"])


def course_tabs(course_id: str, user: Any) -> list[dict[str, Any]]:
    """The "Instructor" tab, for users who may open the dashboard."""
    if not has_permission(user, "instructor.view", course_id):
        return []
    return [{"type": "instructor", "name": _("Instructor"), "url": f"/courses/{course_id}/instructor",
             "order": 200, "staff_only": True}]
