"""Studio's shared web pieces: the ``studio`` blueprint (its static files, the layout's context) and
the "Studio" link in the site's navigation."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint
from flask_babel import gettext as _
from kampus_hookspecs import NavItem

from kampus import db
from kampus.identity.models import CourseAccessRole
from kampus.identity.roles import INSTRUCTOR, STAFF

#: Studio's pages live under this prefix; its REST API under ``/api/studio/v1/``.
URL_PREFIX = "/studio"

bp = Blueprint("studio", __name__, static_folder="static/studio", static_url_path="/static/studio")


def is_course_author_anywhere(user: Any) -> bool:
    """Whether ``user`` is global staff or on the team (staff, admin) of some course."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff:
        return True
    query = sa.select(CourseAccessRole.id).where(
        CourseAccessRole.user_id == user.id, CourseAccessRole.role.in_((STAFF, INSTRUCTOR))).limit(1)
    return db.session().execute(query).first() is not None


def nav_items(user: Any) -> list[NavItem]:
    """"Studio" for the people who author courses."""
    if not is_course_author_anywhere(user):
        return []
    return [NavItem(label=_("Studio"), url=URL_PREFIX + "/", order=70)]
