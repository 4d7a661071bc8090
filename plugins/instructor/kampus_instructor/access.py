"""Who may use the instructor dashboard: the permissions every view and REST endpoint checks.

Open edX's split: ``instructor.view`` (course staff, admins and TAs: Open edX's
staff access to the dashboard) opens the dashboard and reads; the finer
permissions each area declares name the roles that may act (e.g. only
``instructor``, Open edX's course admin, changes the course team).
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from kampus.identity.permissions import has_permission
from kampus.identity.roles import INSTRUCTOR, STAFF, TA

#: The permissions the dashboard itself declares (``kampus_permissions``); areas add theirs.
PERMISSIONS: dict[str, list[str]] = {
    "instructor.view": [TA, STAFF, INSTRUCTOR],
}


def is_global_staff(user: object) -> bool:
    """Site-wide staff (``is_staff`` or ``is_superuser``): every course permission, and site-wide choices."""
    return bool(getattr(user, "is_staff", False) or getattr(user, "is_superuser", False))


def require(permission: str, course_id: str) -> None:
    """Abort with 401 for anonymous users and 403 for users without ``permission`` in ``course_id``."""
    if not current_user.is_authenticated:
        abort(401)
    if not has_permission(current_user, permission, course_id):
        abort(403)
