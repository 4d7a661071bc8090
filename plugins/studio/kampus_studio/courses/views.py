"""The `courses` area's pages: the course list (with "New course"), a course's rerun form and its team page.

The pages are read server-side; every change goes through the REST endpoints of
:mod:`kampus_studio.courses.rest` (``static/studio/courses.js`` sends the forms as JSON).
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required
from kampus_content.api import CourseNotFound, content_store

from kampus.identity.permissions import has_permission
from kampus_studio.access import require_author
from kampus_studio.courses import api as courses
from kampus_studio.courses import reruns
from kampus_studio.pages import render_course_page
from kampus_studio.views import URL_PREFIX

bp = Blueprint("studio_courses", __name__, url_prefix=URL_PREFIX)


def _existing(course_id: str) -> None:
    try:
        content_store().get_course_index(course_id)
    except CourseNotFound:
        abort(404)


@bp.get("/")
@login_required
def course_list() -> str:
    """Studio's home: the courses the user may author, and the "New course" form for course creators."""
    can_create = courses.may_create_courses(current_user)
    listed = courses.list_courses(current_user)
    pending = reruns.unfinished_reruns(current_user)
    if not listed and not pending and not can_create:
        abort(403)
    return render_template("studio/courses/list.html", courses=listed, can_create=can_create,
                           reruns=pending, url_prefix=URL_PREFIX)


@bp.get("/course/<course_id>/rerun")
@login_required
def rerun_page(course_id: str) -> str:
    """The form of a new run of the course."""
    _existing(course_id)
    require_author(course_id)
    if not courses.may_create_courses(current_user):
        abort(403)
    index = content_store().get_course_index(course_id)
    return render_course_page("studio/courses/rerun.html", course_id, "outline", source=index)


@bp.get("/course/<course_id>/team")
@login_required
def team_page(course_id: str) -> str:
    """The course team (Admins and Staff); Admins may add, change and remove members."""
    _existing(course_id)
    require_author(course_id)
    return render_course_page("studio/courses/team.html", course_id, "team", members=courses.team(course_id),
                              can_manage=has_permission(current_user, "studio.manage_team", course_id),
                              me=current_user.id)
