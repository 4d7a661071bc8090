"""Studio's REST API for courses and course teams, under ``/api/studio/v1/``.

* ``GET /api/studio/v1/courses/``: the courses the user may author; ``POST`` creates one
  (``org``, ``number``, ``run``, ``display_name``), 201 with its id and outline URL;
* ``POST /api/studio/v1/courses/<course_id>/rerun``: a new run of the course (same body), made by a
  background task (Open edX's ``rerun_course``): **202** with the new ``course_id`` and ``state``
  ``in_progress``; ``GET /api/studio/v1/course_reruns/`` the reruns being made or failed (the course list's
  notices), ``GET /api/studio/v1/course_reruns/<course_id>`` one rerun's state (``in_progress``,
  ``succeeded`` with ``outline_url``, ``failed`` with ``message``), ``DELETE`` dismisses a finished one;
* ``GET /api/studio/v1/courses/<course_id>/team``: the team; ``POST`` adds someone
  (``email``: username or e-mail, ``role``: ``admin`` | ``staff``);
* ``PUT`` / ``DELETE /api/studio/v1/courses/<course_id>/team/<user_id>``: change a role, remove.

Errors have Open edX's body: ``developer_message``, ``user_message`` and ``field_errors``
(``{name: {"developer_message", "user_message"}}``). The Studio pages call these same endpoints.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, url_for
from flask_login import current_user, login_required
from kampus_content.api import CourseNotFound, content_store
from pydantic import BaseModel, Field
from werkzeug.wrappers import Response

from kampus.api_docs import ApiSection, KampusErrorBody, either, validated
from kampus.identity.permissions import has_permission
from kampus_studio.courses import api as courses
from kampus_studio.courses import reruns
from kampus_studio.views import URL_PREFIX

bp = Blueprint("studio_courses_api", __name__, url_prefix="/api/studio/v1")
courses_api = ApiSection("studio-courses", "Studio: course creation, reruns and course teams.", errors="openedx")


class StudioError(BaseModel):
    """An error: Open edX's ``developer_message`` / ``user_message``, and ``field_errors`` per field."""

    developer_message: str
    user_message: str
    field_errors: dict[str, dict[str, str]] = {}


#: A 400 is the endpoint's own error, or the site's (a CSRF refusal of a cookie session: Kampus's error object).
BAD_REQUEST = either(StudioError, KampusErrorBody)


class CourseItem(BaseModel):
    course_id: str
    display_name: str
    org: str
    number: str
    run: str
    published: bool
    outline_url: str


class CourseList(BaseModel):
    results: list[CourseItem]
    can_create: bool


class NewCourse(BaseModel):
    org: str = Field("", max_length=255, description="Organization, e.g. KampusX.")
    number: str = Field("", max_length=255, description="Course number, e.g. CS101.")
    run: str = Field("", max_length=255, description="Course run, e.g. 2027_T1.")
    display_name: str = Field("", max_length=1000, description="The course's name.")


class CreatedCourse(BaseModel):
    course_id: str
    outline_url: str


class Rerun(BaseModel):
    course_id: str = Field(description="The new run's course id.")
    source_course_id: str
    display_name: str
    state: str = Field(description="in_progress | succeeded | failed (Open edX's CourseRerunState).")
    message: str = Field(description="Why it failed.")
    should_display: bool = Field(description="Shown in the course list until dismissed.")
    task_id: str | None
    outline_url: str | None = Field(description="The new run's outline, once it succeeded.")


class RerunStarted(Rerun):
    status_url: str
    course_list_url: str


class RerunList(BaseModel):
    results: list[Rerun]


class Member(BaseModel):
    user_id: int
    username: str
    email: str
    role: str = Field(description="admin | staff")


class TeamList(BaseModel):
    results: list[Member]


class NewMember(BaseModel):
    email: str = Field("", max_length=254, description="Username or e-mail address of the person to add.")
    role: str = Field("staff", description="admin | staff")


class RoleChange(BaseModel):
    role: str = Field(description="admin | staff")


def error(status: int, message: str, fields: dict[str, str] | None = None) -> Response:
    """Open edX's error body with ``status``."""
    answer = jsonify({
        "developer_message": message, "user_message": message,
        "field_errors": {name: {"developer_message": text, "user_message": text}
                         for name, text in (fields or {}).items()},
    })
    answer.status_code = status
    return answer


def form_error(failure: courses.CourseFormError) -> Response:
    return error(failure.status, str(failure), failure.errors)


def _denied() -> Response | None:
    """401 for anonymous callers."""
    if not current_user.is_authenticated:
        return error(401, "Authentication credentials were not provided.")
    return None


def _check(permission: str, course_id: str) -> Response | None:
    denied = _denied()
    if denied is not None:
        return denied
    if not has_permission(current_user, permission, course_id):
        return error(403, "You do not have permission to perform this action.")
    try:
        content_store().get_course_index(course_id)
    except CourseNotFound:
        return error(404, f"No course {course_id}.")
    return None


def _outline_url(course_id: str) -> str:
    return f"{URL_PREFIX}/course/{course_id}/"


def _member(member: courses.TeamMember) -> dict[str, Any]:
    return {"user_id": member.user_id, "username": member.username, "email": member.email, "role": member.role}


@bp.get("/courses/")
@login_required
@courses_api.doc(resp={200: CourseList, 401: StudioError})
def course_list() -> Response:
    """The courses the requesting user may author (global staff: every course)."""
    denied = _denied()
    if denied is not None:
        return denied
    items = [{"course_id": c.course_id, "display_name": c.display_name, "org": c.org, "number": c.number,
              "run": c.run, "published": c.published, "outline_url": _outline_url(c.course_id)}
             for c in courses.list_courses(current_user)]
    return jsonify({"results": items, "can_create": courses.may_create_courses(current_user)})


@bp.post("/courses/")
@login_required
@courses_api.doc(json=NewCourse, resp={201: CreatedCourse, 400: BAD_REQUEST, 401: StudioError, 403: StudioError,
                                       409: StudioError})
def course_create() -> Response:
    """Create a course; its creator becomes its Admin."""
    denied = _denied()
    if denied is not None:
        return denied
    if not courses.may_create_courses(current_user):
        return error(403, "You do not have permission to create courses.")
    body: NewCourse = validated("json")
    try:
        course_id = courses.create_course(current_user, body.org, body.number, body.run, body.display_name)
    except courses.CourseFormError as failure:
        return form_error(failure)
    answer = jsonify({"course_id": course_id, "outline_url": _outline_url(course_id)})
    answer.status_code = 201
    return answer


@bp.post("/courses/<course_id>/rerun")
@login_required
@courses_api.doc(json=NewCourse, resp={202: RerunStarted, 400: BAD_REQUEST, 401: StudioError, 403: StudioError,
                                       404: StudioError, 409: StudioError, 503: StudioError})
def course_rerun(course_id: str) -> Response:
    """Start a new run of a course (unpublished, with Open edX's default start date) as a background task;
    follow it with ``status_url``. The new key is taken while the rerun runs."""
    refused = _check("studio.author", course_id)
    if refused is not None:
        return refused
    if not courses.may_create_courses(current_user):
        return error(403, "You do not have permission to create courses.")
    body: NewCourse = validated("json")
    try:
        rerun = reruns.start_rerun(current_user, course_id, body.org, body.number, body.run, body.display_name)
    except CourseNotFound:
        return error(404, f"No course {course_id}.")
    except courses.CourseFormError as failure:
        return form_error(failure)
    answer = jsonify({**reruns.rerun_json(rerun), "course_list_url": f"{URL_PREFIX}/",
                      "status_url": url_for(".rerun_state", course_id=rerun.course_key)})
    answer.status_code = 202
    return answer


@bp.get("/course_reruns/")
@login_required
@courses_api.doc(resp={200: RerunList, 401: StudioError})
def rerun_list() -> Response:
    """The caller's reruns being made, or failed and not dismissed (global staff: everyone's)."""
    denied = _denied()
    if denied is not None:
        return denied
    return jsonify({"results": [reruns.rerun_json(r) for r in reruns.unfinished_reruns(current_user)]})


@bp.get("/course_reruns/<course_id>")
@login_required
@courses_api.doc(resp={200: Rerun, 401: StudioError, 404: StudioError})
def rerun_state(course_id: str) -> Response:
    """The state of the latest rerun into ``course_id`` (seen by its author and global staff)."""
    denied = _denied()
    if denied is not None:
        return denied
    rerun = reruns.get_rerun(current_user, course_id)
    if rerun is None:
        return error(404, f"No re-run into {course_id}.")
    return jsonify(reruns.rerun_json(reruns.checked(rerun)))


@bp.delete("/course_reruns/<course_id>")
@login_required
@courses_api.doc(resp={204: None, 401: StudioError, 404: StudioError, 409: StudioError})
def rerun_dismiss(course_id: str) -> Response:
    """Dismiss a finished rerun's notice in the course list (409 while it is being made)."""
    denied = _denied()
    if denied is not None:
        return denied
    try:
        reruns.dismiss(current_user, course_id)
    except courses.CourseFormError as failure:
        return form_error(failure)
    return current_app.response_class(status=204)


@bp.get("/courses/<course_id>/team")
@login_required
@courses_api.doc(resp={200: TeamList, 401: StudioError, 403: StudioError, 404: StudioError})
def team_list(course_id: str) -> Response:
    """The course team: Admins and Staff."""
    refused = _check("studio.author", course_id)
    if refused is not None:
        return refused
    return jsonify({"results": [_member(m) for m in courses.team(course_id)]})


@bp.post("/courses/<course_id>/team")
@login_required
@courses_api.doc(json=NewMember, resp={201: Member, 400: BAD_REQUEST, 401: StudioError, 403: StudioError,
                                       404: StudioError, 409: StudioError})
def team_add(course_id: str) -> Response:
    """Add a user (by username or e-mail) to the course team."""
    refused = _check("studio.manage_team", course_id)
    if refused is not None:
        return refused
    body: NewMember = validated("json")
    try:
        member = courses.add_member(course_id, body.email, body.role)
    except courses.CourseFormError as failure:
        return form_error(failure)
    answer = jsonify(_member(member))
    answer.status_code = 201
    return answer


@bp.put("/courses/<course_id>/team/<int:user_id>")
@login_required
@courses_api.doc(json=RoleChange, resp={200: Member, 400: BAD_REQUEST, 401: StudioError, 403: StudioError,
                                        404: StudioError, 409: StudioError})
def team_change(course_id: str, user_id: int) -> Response:
    """Change a team member's role (the last Admin stays Admin)."""
    refused = _check("studio.manage_team", course_id)
    if refused is not None:
        return refused
    body: RoleChange = validated("json")
    try:
        return jsonify(_member(courses.change_member_role(course_id, user_id, body.role)))
    except courses.CourseFormError as failure:
        return form_error(failure)


@bp.delete("/courses/<course_id>/team/<int:user_id>")
@login_required
@courses_api.doc(resp={204: None, 401: StudioError, 403: StudioError, 404: StudioError, 409: StudioError})
def team_remove(course_id: str, user_id: int) -> Response:
    """Take a member off the course team (the last Admin cannot be removed)."""
    refused = _check("studio.manage_team", course_id)
    if refused is not None:
        return refused
    try:
        courses.remove_member(course_id, user_id)
    except courses.CourseFormError as failure:
        return form_error(failure)
    return current_app.response_class(status=204)  # a Flask response: SpecTree keeps its status
