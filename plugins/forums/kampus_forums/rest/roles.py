"""Open edX's forum roles of a course: ``GET`` / ``POST /api/discussion/v1/courses/<course_id>/roles/<rolename>/``
(``CourseDiscussionRolesAPIView``).

``rolename`` is ``Administrator``, ``Moderator``, ``Group Moderator`` or ``Community TA`` (URL-encoded
spaces); another name is a 400 field error ``Role '<x>' does not exist``. GET lists the members
``{"course_id", "results": [{"username", "email", "first_name", "last_name", "group_name"}],
"division_scheme"}``; POST ``{"user_id": <username or e-mail>, "action": "allow" | "revoke"}`` changes one
membership (with an audit entry) and answers the same list. Only global staff, course staff, instructors
and forum administrators (``forums.manage_roles``) may use it: others get 403.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from kampus_lms import api as lms
from pydantic import BaseModel, Field
from werkzeug.wrappers import Response

from kampus import db
from kampus.identity.accounts import find_user
from kampus.identity.permissions import has_permission
from kampus_forums.access import ForumUser
from kampus_forums.moderation.roles import FORUM_ROLES, change_role, role_members
from kampus_forums.rest.common import course_user, discussion_api, error, field_error, json_or_form_body
from kampus_forums.rest.settings import FORBIDDEN, ErrorBody
from kampus_forums.topics.groups import group_names_of
from kampus_forums.topics.service import division

bp = Blueprint("forums_rest_roles", __name__)
lms.install_error_handler(bp)

ACTIONS = ("allow", "revoke")


class RoleChange(BaseModel):
    user_id: str = Field(description="The user's username or e-mail address.")
    action: str = Field(description="allow or revoke.")


class Member(BaseModel):
    username: str
    email: str
    first_name: str
    last_name: str
    group_name: str | None


class RoleMembers(BaseModel):
    course_id: str
    results: list[Member]
    division_scheme: str


def _role_user(course_id: str, rolename: str) -> ForumUser:
    who = course_user(course_id)
    if rolename not in FORUM_ROLES:
        raise field_error({"rolename": f"Role '{rolename}' does not exist"})
    if not has_permission(who.user, "forums.manage_roles", who.course_id):
        raise error(403, FORBIDDEN)
    return who


def members_answer(course_id: str, rolename: str) -> dict[str, Any]:
    """Open edX's ``DiscussionRolesListSerializer`` of the role's members."""
    members = role_members(course_id, rolename)
    settings = division(course_id)
    groups = group_names_of(course_id, [u.id for u in members]) if settings.enabled else {}
    results = []
    for user in members:
        first, _sep, last = (user.name or "").strip().partition(" ")
        results.append({"username": user.username, "email": user.email, "first_name": first,
                        "last_name": last.strip(), "group_name": groups.get(user.id)})
    return {"course_id": course_id, "results": results, "division_scheme": settings.division_scheme}


_RESP = {200: RoleMembers, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody}


@bp.get("/api/discussion/v1/courses/<course_id>/roles/<rolename>")
@bp.get("/api/discussion/v1/courses/<course_id>/roles/<rolename>/")
@discussion_api.doc(resp=_RESP)
def role_list(course_id: str, rolename: str) -> Response:
    """The users holding a forum role in the course."""
    who = _role_user(course_id, rolename)
    return lms.json_answer(members_answer(who.course_id, rolename))


@bp.post("/api/discussion/v1/courses/<course_id>/roles/<rolename>")
@bp.post("/api/discussion/v1/courses/<course_id>/roles/<rolename>/")
@discussion_api.doc(json=RoleChange, validate=False, resp=_RESP)
def role_change(course_id: str, rolename: str) -> Response:
    """Grant (``allow``) or revoke a forum role of one user."""
    who = _role_user(course_id, rolename)
    body = json_or_form_body()
    identifier = str(body.get("user_id") or "").strip()
    action = body.get("action")
    problems = {}
    if not identifier:
        problems["user_id"] = "This field is required."
    if action not in ACTIONS:
        problems["action"] = (f"Select a valid choice. {action} is not one of the available choices."
                              if action else "This field is required.")
    if problems:
        raise field_error(problems)
    user = find_user(db.session(), identifier)
    if user is None:
        raise error(400, f"'{identifier}' is not a valid student identifier")
    change_role(who.course_id, user, rolename, action == "allow", moderator=who)
    return lms.json_answer(members_answer(who.course_id, rolename))
