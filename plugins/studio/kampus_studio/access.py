"""Who may author: the permission checks every Studio view and REST endpoint uses.

``studio.author`` (course ``staff`` and ``instructor``, Open edX's course team
roles "Staff" and "Admin") may edit a course; ``studio.manage_team``
(``instructor``) may change its team; ``studio.create_course`` (global staff;
see the courses area) may create courses. Global staff hold every permission.
"""

from __future__ import annotations

from flask import abort, current_app
from flask_login import current_user

from kampus.identity.permissions import has_permission
from kampus.identity.roles import INSTRUCTOR, STAFF

#: The permissions Studio declares (``kampus_permissions``), by the course roles that hold them.
PERMISSIONS: dict[str, list[str]] = {
    "studio.author": [STAFF, INSTRUCTOR],
    "studio.manage_team": [INSTRUCTOR],
    "studio.create_course": [],
}


def can_author(course_id: str, user: object | None = None) -> bool:
    """Whether ``user`` (default: the current user) may edit course ``course_id`` in Studio."""
    return has_permission(user if user is not None else current_user, "studio.author", course_id)


def require_author(course_id: str) -> None:
    """For Studio's pages: send anonymous visitors to the login page (Flask-Login's ``unauthorized()``: a JSON
    401 for API-like requests) and abort with 403 for users who may not author ``course_id``."""
    if not current_user.is_authenticated:
        abort(current_app.login_manager.unauthorized())  # type: ignore[attr-defined]
    if not can_author(course_id):
        abort(403)
