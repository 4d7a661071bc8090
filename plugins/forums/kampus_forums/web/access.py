"""Who may open the forums' pages: the same rule as the discussion REST API (enrolled learners and the
course team), answered as the LMS's course pages answer (404, or a redirect to log in or to enroll)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect
from flask_babel import gettext as _
from flask_login import current_user
from kampus_lms import api as lms
from werkzeug.wrappers import Response

from kampus_forums.access import ForumUser, forum_user


def current() -> Any:
    """The current user as an object (not Flask-Login's proxy)."""
    return current_user._get_current_object() if hasattr(current_user, "_get_current_object") else current_user


def can_read_forums(user: Any, course_id: str) -> bool:
    """Whether ``user`` may read the course's forums: enrolled, or on the course team."""
    if lms.course_key_or_none(course_id) is None:
        return False
    who = forum_user(user, course_id)
    return who is not None and who.can_read


def page_user(course_id: str) -> ForumUser | Response:
    """The current user in the published course when they may read its forums; else 404 (``abort``) for an
    unknown course, or the LMS's redirect (log in, or the about page to enroll) with its reason flashed."""
    if lms.course_key_or_none(course_id) is None:
        abort(404)
    access = lms.course_access(current(), course_id)
    if access is None:
        abort(404)
    who = forum_user(current(), course_id)
    if who is not None and who.can_read:
        return who
    flash(access.reason or _("Enroll in this course to take part in its discussions."), "warning")
    return redirect(access.redirect or lms.about_url(course_id))
