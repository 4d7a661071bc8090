"""The membership area's actions, one code path for the REST endpoints and the pages (Open edX's
``lms/djangoapps/instructor/views/api.py``: ``modify_access``, ``list_course_role_members``,
``update_forum_role_membership``, ``list_forum_members``, ``students_update_enrollment``,
``bulk_beta_modify_access``), with their answers in Open edX's shapes.

Rules, as Open edX's:

* the course team (``instructor``, ``staff``, ``ta``) and the discussion administrators are changed by the
  course's instructors (Open edX's "Admin"); beta testers, discussion moderators and community TAs by
  course staff too. An instructor cannot remove their own instructor role;
* enrolling an address without an account allows it (``CourseEnrollmentAllowed``), with ``auto_enroll``
  enrolling the account registered with it; unenrolling removes that allowance too;
* with ``email_students`` each learner gets a message (Jinja templates under
  ``instructor/membership/email/``) through the mailer driver. The LMS emits the enrollment events.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from kampus_lms.api import (
    EnrollmentError,
    allow_enrollment,
    allowance_in,
    course_overview,
    disallow_enrollment,
    enroll,
    get_enrollment,
    split_identifiers,
    unenroll,
)

from kampus import db
from kampus.current import current_kampus
from kampus.identity.models import CourseAccessRole, User
from kampus.identity.permissions import grant_role, has_permission, revoke_role
from kampus.identity.roles import (
    BETA_TESTER,
    COMMUNITY_TA,
    DISCUSSION_ADMIN,
    DISCUSSION_MODERATOR,
    GROUP_MODERATOR,
    INSTRUCTOR,
    STAFF,
    TA,
)
from kampus.rendering.dates import as_user
from kampus.urls import site_base_url
from kampus_instructor.http import ApiError
from kampus_instructor.membership.fields import find_user, user_info

#: Open edX's ``rolename`` of ``modify_access`` -> the Kampus course role.
TEAM_ROLES: dict[str, str] = {"instructor": INSTRUCTOR, "staff": STAFF, "ta": TA, "beta": BETA_TESTER}
#: Open edX's forum role names -> the Kampus course role.
FORUM_ROLES: dict[str, str] = {"Administrator": DISCUSSION_ADMIN, "Moderator": DISCUSSION_MODERATOR,
                               "Group Moderator": GROUP_MODERATOR, "Community TA": COMMUNITY_TA}
#: Who may change a role: the permission each needs.
MANAGE_TEAM = "instructor.manage_team"
MANAGE_ENROLLMENT = "instructor.manage_enrollment"
_ROLE_PERMISSION = {INSTRUCTOR: MANAGE_TEAM, STAFF: MANAGE_TEAM, TA: MANAGE_TEAM, DISCUSSION_ADMIN: MANAGE_TEAM,
                    BETA_TESTER: MANAGE_ENROLLMENT, DISCUSSION_MODERATOR: MANAGE_ENROLLMENT,
                    GROUP_MODERATOR: MANAGE_ENROLLMENT, COMMUNITY_TA: MANAGE_ENROLLMENT}
#: Most identifiers one batch takes.
MAX_IDENTIFIERS = 1000

log = logging.getLogger(__name__)


def role_members(course_id: str, role: str) -> list[User]:
    """The accounts holding ``role`` in the course itself (not org-wide), by username."""
    return list(db.session().scalars(
        sa.select(User).join(CourseAccessRole, CourseAccessRole.user_id == User.id)
        .where(CourseAccessRole.course_id == str(course_id), CourseAccessRole.role == role)
        .order_by(User.username)))


def may_change(actor: Any, course_id: str, role: str) -> bool:
    """Whether ``actor`` may grant or revoke ``role`` in the course."""
    return has_permission(actor, _ROLE_PERMISSION[role], course_id)


def _require_change(actor: Any, course_id: str, role: str) -> None:
    if not may_change(actor, course_id, role):
        raise ApiError(403, _("You do not have permission to perform this action."))


def _action(value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ApiError(400, _("Unrecognized action '%(action)s'.", action=value), "action")
    return value


def modify_access(actor: Any, course_id: str, identifier: str, rolename: str, action: str) -> dict[str, Any]:
    """Open edX's ``modify_access``: grant (``allow``) or revoke (``revoke``) a course team role."""
    role = TEAM_ROLES.get(rolename)
    if role is None:
        raise ApiError(400, _("Unknown role '%(role)s'.", role=rolename), "rolename")
    action = _action(action, ("allow", "revoke"))
    if not may_modify_access(actor, course_id):
        raise ApiError(403, _("You do not have permission to perform this action."))
    return _change_role(actor, course_id, identifier, role, action,
                        {"unique_student_identifier": identifier, "rolename": rolename, "action": action})


def may_modify_access(actor: Any, course_id: str) -> bool:
    """Whether ``actor`` may use ``modify_access``: the course's instructors only, for every role (Open
    edX's ``EDIT_COURSE_ACCESS``; course staff change beta testers through ``bulk_beta_modify_access``)."""
    return has_permission(actor, MANAGE_TEAM, course_id)


def _change_role(actor: Any, course_id: str, identifier: str, role: str, action: str,
                 answer: dict[str, Any]) -> dict[str, Any]:
    user = find_user(identifier)
    if user is None:
        return {"unique_student_identifier": identifier, "userDoesNotExist": True}
    if not user.is_active and action == "allow":
        return {"unique_student_identifier": user.username, "inactiveUser": True}
    if role == INSTRUCTOR and action == "revoke" and user.id == actor.id:
        return {**answer, "removingSelfAsInstructor": True}
    session = db.session()
    try:
        if action == "allow":
            grant_role(session, user, role, str(course_id))
        else:
            revoke_role(session, user, role, str(course_id))
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return {**answer, "unique_student_identifier": user.username, "success": "yes"}


def list_role_members(course_id: str, rolename: str) -> dict[str, Any]:
    """Open edX's ``list_course_role_members``: ``{"course_id", rolename: [user info]}``."""
    role = TEAM_ROLES.get(rolename)
    if role is None:
        raise ApiError(400, _("Unknown role '%(role)s'.", role=rolename), "rolename")
    return {"course_id": str(course_id), rolename: [user_info(user) for user in role_members(course_id, role)]}


def list_forum_members(course_id: str, rolename: str) -> dict[str, Any]:
    """Open edX's ``list_forum_members``: ``{"course_id", rolename: [user info], "division_scheme"}``."""
    role = FORUM_ROLES.get(rolename)
    if role is None:
        raise ApiError(400, _("Unrecognized rolename '%(role)s'.", role=rolename), "rolename")
    return {"course_id": str(course_id), rolename: [user_info(user) for user in role_members(course_id, role)],
            "division_scheme": "none"}


def update_forum_role(actor: Any, course_id: str, identifier: str, rolename: str, action: str) -> dict[str, Any]:
    """Open edX's ``update_forum_role_membership``: ``{"course_id", "action"}`` (or the user errors of
    :func:`modify_access`)."""
    role = FORUM_ROLES.get(rolename)
    if role is None:
        raise ApiError(400, _("Unrecognized rolename '%(role)s'.", role=rolename), "rolename")
    action = _action(action, ("allow", "revoke"))
    _require_change(actor, course_id, role)
    answer = _change_role(actor, course_id, identifier, role, action, {"course_id": str(course_id), "action": action})
    if answer.get("success"):
        return {"course_id": str(course_id), "action": action}
    return answer


# -- enrollment ------------------------------------------------------------------------------------------------


def identifiers_of(text: str) -> list[str]:
    """The identifiers of a batch (commas, spaces or new lines); :class:`ApiError` 400 when none or too many."""
    found = split_identifiers(text)
    if not found:
        raise ApiError(400, _("Enter at least one username or e-mail address."), "identifiers")
    if len(found) > MAX_IDENTIFIERS:
        raise ApiError(400, _("Enter at most %(count)s usernames or e-mail addresses at a time.",
                              count=MAX_IDENTIFIERS), "identifiers")
    return found


def _valid_email(text: str) -> bool:
    local, at, domain = text.rpartition("@")
    return bool(at and local and "." in domain and " " not in text and len(text) <= 254)


def _state(course_id: str, user: User | None, email: str) -> dict[str, bool]:
    """Open edX's ``EmailEnrollmentState.to_dict``."""
    enrollment = get_enrollment(user.id, course_id) if user is not None else None
    allowance = allowance_in(course_id, email) if email else None
    return {"user": user is not None, "enrollment": bool(enrollment and enrollment.is_active),
            "allowed": allowance is not None, "auto_enroll": bool(allowance and allowance.auto_enroll)}


def _send(to: str, template: str, subject: Any, **context: Any) -> None:
    overview = course_overview(context["course_id"])
    context.setdefault("course_name", overview.display_name if overview else context["course_id"])
    context.setdefault("site_name", current_kampus().settings.site_name)
    context.setdefault("site_url", site_base_url())
    text = render_template(f"instructor/membership/email/{template}.txt", **context)
    current_kampus().mailer.send(to, str(subject) % {"course": context["course_name"]}, text)


def _mail(result: dict[str, Any], to: str, template: str, subject: Any, user_id: int | None = None,
          **context: Any) -> None:
    """Send one learner's message after their change was committed; a failure does not undo the
    change: the identifier's result says ``emailFailed``. With ``user_id`` (a registered learner), the
    message is written in their language (their ``pref-lang``, as Open edX's ``send_mail_to_student``),
    whoever's request caused it; an invitation to an address with no account is in the site's language."""
    try:
        if user_id is None:
            _send(to, template, subject, **context)
        else:
            with as_user(user_id):
                _send(to, template, subject, **context)
    except Exception:
        log.exception("the %s message to %s could not be sent", template, to)
        result["emailFailed"] = True


def update_enrollment(course_id: str, identifiers: list[str], action: str, *, auto_enroll: bool = False,
                      email_students: bool = False) -> dict[str, Any]:
    """Open edX's ``students_update_enrollment``: enroll or unenroll each identifier; answers
    ``{"action", "auto_enroll", "results": [{"identifier", "before", "after"} | {"identifier",
    "invalidIdentifier": true} | {"identifier", "error": true}]}``.

    Each identifier is changed and committed on its own, as in Open edX: one that fails (any error) is
    rolled back and answered ``error: true``, the others go on. Messages are sent after the change is
    committed; one that cannot be sent adds ``emailFailed: true`` to its identifier's result."""
    action = _action(action, ("enroll", "unenroll"))
    course_id = str(course_id)
    results: list[dict[str, Any]] = []
    for identifier in identifiers:
        user = find_user(identifier)
        email = user.email if user is not None else identifier
        if user is None and not _valid_email(identifier):
            results.append({"identifier": identifier, "invalidIdentifier": True})
            continue
        mail: tuple[str, Any, dict[str, Any]] | None = None
        try:
            before = _state(course_id, user, email)
            if action == "enroll":
                if user is not None:
                    enroll(user, course_id, check_access=False)
                    if email_students and not before["enrollment"]:
                        mail = ("enrolled", _l("You have been enrolled in %(course)s"), {
                            "name": user.display_name,
                            "course_url": f"{site_base_url()}/courses/{course_id}/course/"})
                else:
                    allow_enrollment(course_id, email, auto_enroll=auto_enroll)
                    if email_students:
                        mail = ("allowed", _l("You have been invited to register for %(course)s"), {
                            "auto_enroll": auto_enroll, "register_url": f"{site_base_url()}/register"})
            else:
                if user is not None and before["enrollment"]:
                    unenroll(user, course_id)
                if before["allowed"]:
                    disallow_enrollment(course_id, email)
                if email_students and (before["enrollment"] or before["allowed"]):
                    mail = ("unenrolled", _l("You have been unenrolled from %(course)s"),
                            {"name": user.display_name if user is not None else ""})
            db.session().commit()
            result = {"identifier": identifier, "before": before, "after": _state(course_id, user, email)}
        except Exception as exc:  # Open edX: any error of one identifier is that identifier's error
            if not isinstance(exc, EnrollmentError):
                log.exception("changing the enrollment of %r in %s failed", identifier, course_id)
            db.session().rollback()
            results.append({"identifier": identifier, "error": True})
            continue
        if mail is not None:
            template, subject, context = mail
            _mail(result, email, template, subject, user.id if user is not None else None, course_id=course_id,
                  **context)
        results.append(result)
    return {"action": action, "auto_enroll": auto_enroll, "results": results}


def bulk_beta(actor: Any, course_id: str, identifiers: list[str], action: str, *, email_students: bool = False,
              auto_enroll: bool = False) -> dict[str, Any]:
    """Open edX's ``bulk_beta_modify_access``: add or remove beta testers (with ``auto_enroll``, added
    ones are enrolled too); ``{"action", "results": [{"identifier", "error", "userDoesNotExist",
    "is_active"}]}``."""
    action = _action(action, ("add", "remove"))
    _require_change(actor, course_id, BETA_TESTER)
    course_id = str(course_id)
    results: list[dict[str, Any]] = []
    session = db.session()
    for identifier in identifiers:
        user = find_user(identifier)
        if user is None:
            results.append({"identifier": identifier, "error": True, "userDoesNotExist": True, "is_active": None})
            continue
        if not user.is_active:
            results.append({"identifier": identifier, "error": True, "userDoesNotExist": False,
                            "is_active": False})
            continue
        try:
            if action == "add":
                grant_role(session, user, BETA_TESTER, course_id)
                if auto_enroll:  # in the role's transaction: both or neither
                    enroll(user, course_id, check_access=False)
            else:
                revoke_role(session, user, BETA_TESTER, course_id)
            session.commit()
        except Exception as exc:  # Open edX: any error of one identifier is that identifier's error
            if not isinstance(exc, EnrollmentError):
                log.exception("changing the beta testers of %s (%r) failed", course_id, identifier)
            session.rollback()
            results.append({"identifier": identifier, "error": True, "userDoesNotExist": False, "is_active": True})
            continue
        result: dict[str, Any] = {"identifier": identifier, "error": False, "userDoesNotExist": False,
                                  "is_active": True}
        if email_students:
            if action == "add":
                _mail(result, user.email, "beta_added", _l("You have been invited to a beta test for %(course)s"),
                      user.id, course_id=course_id, name=user.display_name, auto_enroll=auto_enroll,
                      course_url=f"{site_base_url()}/courses/{course_id}/course/")
            else:
                _mail(result, user.email, "beta_removed", _l("You have been removed from a beta test for %(course)s"),
                      user.id, course_id=course_id, name=user.display_name)
        results.append(result)
    return {"action": action, "results": results}
