"""The membership section (course team, batch enrollment, beta testers) and its instructor API at Open
edX's paths (``/courses/<course_id>/instructor/api/<action>``, POST, form or JSON fields)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import BaseModel, ConfigDict
from werkzeug.wrappers import Response

from kampus.api_docs import ApiSection
from kampus_instructor.access import require
from kampus_instructor.http import ERRORS, check, install_errors
from kampus_instructor.membership import service
from kampus_instructor.membership.fields import bool_field, text_field
from kampus_instructor.pages import render_dashboard_page

bp = Blueprint("instructor_membership", __name__)
install_errors(bp)

membership_api = ApiSection("instructor membership", "The instructor dashboard's course team and enrollment "
                            "actions (Open edX's instructor API).", errors="openedx")

class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class AccessAnswer(Open):
    """``modify_access``'s answer: ``success: "yes"``, or ``userDoesNotExist``, ``inactiveUser`` or
    ``removingSelfAsInstructor``."""

    unique_student_identifier: str


class RoleMembers(Open):
    """``{"course_id", <rolename>: [{"username", "email", "first_name", "last_name"}]}``."""

    course_id: str


class ForumAnswer(Open):
    """``update_forum_role_membership``'s answer ``{"course_id", "action"}`` (or a user error)."""


class EnrollmentResult(Open):
    identifier: str


class EnrollmentAnswer(BaseModel):
    """``students_update_enrollment``'s answer: per identifier ``before``/``after`` states (``user``,
    ``enrollment``, ``allowed``, ``auto_enroll``), or ``invalidIdentifier`` or ``error``."""

    action: str
    auto_enroll: bool
    results: list[EnrollmentResult]


class BetaResult(BaseModel):
    identifier: str
    error: bool
    userDoesNotExist: bool  #: Open edX's field name
    is_active: bool | None
    emailFailed: bool | None = None  #: the change was made, its message could not be sent


class BetaAnswer(BaseModel):
    """``bulk_beta_modify_access``'s answer."""

    action: str
    results: list[BetaResult]


class RoleQuery(BaseModel):
    """Which role's members (form or JSON fields)."""

    rolename: str


class AccessChange(BaseModel):
    """A role change (form or JSON fields)."""

    unique_student_identifier: str
    rolename: str
    action: str


class EnrollmentChange(BaseModel):
    """A batch (un)enrollment (form or JSON fields): ``identifiers`` separated by commas, spaces or new lines."""

    action: str
    identifiers: str
    auto_enroll: bool = False
    email_students: bool = False
    reason: str | None = None


class BetaChange(BaseModel):
    """A batch of beta testers (form or JSON fields)."""

    action: str
    identifiers: str
    auto_enroll: bool = False
    email_students: bool = False


@bp.get("/courses/<course_id>/instructor/membership")
def membership_page(course_id: str) -> str:
    """The membership section: batch enrollment, beta testers, course team and discussion roles."""
    require("instructor.view", course_id)
    teams = [{"rolename": name, "label": label, "members": service.role_members(course_id, service.TEAM_ROLES[name]),
              "can_change": service.may_modify_access(current_user, course_id),
              "endpoint": "modify_access"}
             for name, label in (("staff", _("Staff")), ("instructor", _("Admin")), ("ta", _("Teaching assistants")),
                                 ("beta", _("Beta testers")))]
    teams += [{"rolename": name, "label": label,
               "members": service.role_members(course_id, service.FORUM_ROLES[name]),
               "can_change": service.may_change(current_user, course_id, service.FORUM_ROLES[name]),
               "endpoint": "update_forum_role_membership"}
              for name, label in (("Administrator", _("Discussion admins")), ("Moderator", _("Discussion moderators")),
                                  ("Community TA", _("Community TAs")))]
    can_enroll = service.may_change(current_user, course_id, service.BETA_TESTER)
    return render_dashboard_page("instructor/membership/index.html", course_id, "membership", teams=teams,
                                 can_enroll=can_enroll, api=endpoints(course_id))


def _api(course_id: str, action: str) -> str:
    return f"/courses/{course_id}/instructor/api/{action}"


@bp.post("/courses/<course_id>/instructor/api/list_course_role_members")
@membership_api.doc(json=RoleQuery, validate=False, resp={200: RoleMembers, **ERRORS})
def list_course_role_members(course_id: str) -> Response:
    """The members of a course team role (``rolename``: instructor, staff, ta, beta)."""
    check("instructor.view", course_id)
    return jsonify(service.list_role_members(course_id, text_field("rolename", required=True)))


@bp.post("/courses/<course_id>/instructor/api/modify_access")
@membership_api.doc(json=AccessChange, validate=False, resp={200: AccessAnswer, **ERRORS})
def modify_access(course_id: str) -> Response:
    """Grant (``action=allow``) or revoke (``revoke``) a course team role (``rolename``: instructor, staff,
    ta, beta) to ``unique_student_identifier`` (username or e-mail)."""
    actor = check("instructor.view", course_id)
    return jsonify(service.modify_access(actor, course_id, text_field("unique_student_identifier", required=True),
                                         text_field("rolename", required=True), text_field("action", required=True)))


@bp.post("/courses/<course_id>/instructor/api/list_forum_members")
@membership_api.doc(json=RoleQuery, validate=False, resp={200: RoleMembers, **ERRORS})
def list_forum_members(course_id: str) -> Response:
    """The members of a discussion role (``rolename``: Administrator, Moderator, Community TA)."""
    check("instructor.view", course_id)
    return jsonify(service.list_forum_members(course_id, text_field("rolename", required=True)))


@bp.post("/courses/<course_id>/instructor/api/update_forum_role_membership")
@membership_api.doc(json=AccessChange, validate=False, resp={200: ForumAnswer, **ERRORS})
def update_forum_role_membership(course_id: str) -> Response:
    """Grant (``allow``) or revoke (``revoke``) a discussion role to ``unique_student_identifier``."""
    actor = check("instructor.view", course_id)
    return jsonify(service.update_forum_role(actor, course_id, text_field("unique_student_identifier", required=True),
                                             text_field("rolename", required=True),
                                             text_field("action", required=True)))


@bp.post("/courses/<course_id>/instructor/api/students_update_enrollment")
@membership_api.doc(json=EnrollmentChange, validate=False, resp={200: EnrollmentAnswer, **ERRORS})
def students_update_enrollment(course_id: str) -> Response:
    """Enroll (``action=enroll``) or unenroll (``unenroll``) the usernames or e-mail addresses of
    ``identifiers`` (commas, spaces or new lines); ``auto_enroll`` and ``email_students`` as Open edX's."""
    check(service.MANAGE_ENROLLMENT, course_id)
    action = text_field("action", required=True)
    identifiers = service.identifiers_of(text_field("identifiers", required=True))
    return jsonify(service.update_enrollment(course_id, identifiers, action, auto_enroll=bool_field("auto_enroll"),
                                             email_students=bool_field("email_students")))


@bp.post("/courses/<course_id>/instructor/api/bulk_beta_modify_access")
@membership_api.doc(json=BetaChange, validate=False, resp={200: BetaAnswer, **ERRORS})
def bulk_beta_modify_access(course_id: str) -> Response:
    """Add (``action=add``) or remove (``remove``) the beta testers of ``identifiers``; with ``auto_enroll``
    added ones are enrolled; ``email_students`` tells them."""
    actor = check("instructor.view", course_id)
    action = text_field("action", required=True)
    identifiers = service.identifiers_of(text_field("identifiers", required=True))
    return jsonify(service.bulk_beta(actor, course_id, identifiers, action, email_students=bool_field("email_students"),
                                     auto_enroll=bool_field("auto_enroll")))


def endpoints(course_id: str) -> dict[str, Any]:
    """The API paths the membership page's forms post to."""
    return {name: _api(course_id, name) for name in (
        "modify_access", "update_forum_role_membership", "students_update_enrollment", "bulk_beta_modify_access",
        "add_users_to_cohorts")}
