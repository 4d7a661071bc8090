"""Studio's shared web pieces: the ``studio`` blueprint (its static files, the layout's context) and
the "Studio" link in the site's navigation."""

from __future__ import annotations

import math
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from kampus_hookspecs import NavItem

from kampus import db
from kampus.identity.models import CourseAccessRole
from kampus.identity.roles import INSTRUCTOR, STAFF

#: Studio's pages live under this prefix; its REST API under ``/api/studio/v1/``.
URL_PREFIX = "/studio"

bp = Blueprint("studio", __name__, static_folder="static/studio", static_url_path="/static/studio")


def _json_problem(value: Any) -> str | None:
    """Why a parsed JSON body cannot be stored: a string UTF-8 cannot encode (a lone surrogate such as
    ``"\\ud800"``) or a number that is not finite (``NaN``, ``Infinity``, ``1e400``); ``None`` when it can."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return _("The request holds text that is not valid Unicode (a lone surrogate).")
        elif isinstance(item, float) and not math.isfinite(item):
            return _("The request holds a number that is not finite (NaN, Infinity or too large).")
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


@bp.before_app_request
def _refuse_unstorable_json() -> Any:
    """Studio's JSON bodies are checked once here: text that is not valid Unicode (a lone surrogate escape)
    or a number that is not finite answers 400 before any view could store it."""
    if not request.path.startswith(("/api/studio/", URL_PREFIX + "/")) or not request.is_json:
        return None
    message = _json_problem(request.get_json(silent=True))
    if message is None:
        return None
    response = jsonify({"developer_message": message, "user_message": message})
    response.status_code = 400
    return response


#: :func:`is_course_author_anywhere`'s read, built once (the navigation asks it on every page).
_AUTHOR_ROLE_OF = sa.select(CourseAccessRole.id).where(
    CourseAccessRole.user_id == sa.bindparam("user_id"), CourseAccessRole.role.in_((STAFF, INSTRUCTOR))).limit(1)


def is_course_author_anywhere(user: Any) -> bool:
    """Whether ``user`` is global staff or on the team (staff, admin) of some course."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff:
        return True
    return db.session().execute(_AUTHOR_ROLE_OF, {"user_id": user.id}).first() is not None


def nav_items(user: Any) -> list[NavItem]:
    """"Studio" for the people who author courses."""
    if not is_course_author_anywhere(user):
        return []
    return [NavItem(label=_("Studio"), url=URL_PREFIX + "/", order=70)]
