"""Staff pages: find users, activate or deactivate them, global staff flags, course roles.

Every page needs the ``site.manage_users`` permission (global staff only);
changing a superuser, or the superuser flag, needs a superuser.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from kampus import db
from kampus.course_keys import is_course_id
from kampus.db import utcnow
from kampus.events import emit
from kampus.identity.accounts import new_session_token
from kampus.identity.models import ApiToken, CourseAccessRole, User
from kampus.identity.permissions import grant_role, require_permission, revoke_role
from kampus.identity.roles import COURSE_ROLES
from kampus.identity.views import Page, bp

PER_PAGE = 25


def _user_or_404(user_id: int) -> User:
    user = db.session().get(User, user_id)
    if user is None:
        abort(404, _("No such user."))
    return user


def _may_change(user: User) -> None:
    """Only a superuser may change a superuser; nobody may lock themselves out here."""
    if user.is_superuser and not current_user.is_superuser:
        abort(403, _("Only a superuser may change a superuser."))


def _flag(name: str) -> bool:
    return request.form.get(name, "") in ("1", "true", "on", "yes")


def _back(user: User) -> Response:
    return redirect(url_for("identity.staff_user", user_id=user.id))


@bp.get("/staff/users")
@require_permission("site.manage_users")
def staff_users() -> Page:
    query = request.args.get("q", "").strip()
    page = max(1, request.args.get("page", 1, type=int) or 1)
    stmt = sa.select(User)
    if query:
        stmt = stmt.where(sa.or_(db.contains_text(User.username, query), db.contains_text(User.email, query)))
    db_session = db.session()
    total = db_session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, (total + PER_PAGE - 1) // PER_PAGE)
    page = min(page, pages)
    users = db_session.scalars(stmt.order_by(User.username).offset((page - 1) * PER_PAGE).limit(PER_PAGE)).all()
    return render_template("kampus/identity/staff_users.html", users=users, q=query, page=page, pages=pages,
                           total=total)


@bp.get("/staff/users/<int:user_id>")
@require_permission("site.manage_users")
def staff_user(user_id: int) -> Page:
    return _user_page(_user_or_404(user_id))


def _user_page(user: User, status: int = 200, error: str | None = None) -> Page:
    roles = db.session().scalars(
        sa.select(CourseAccessRole).where(CourseAccessRole.user_id == user.id)
        .order_by(CourseAccessRole.org, CourseAccessRole.course_id, CourseAccessRole.role)
    ).all()
    form = {key: request.form.get(key, "") for key in ("course_id", "org", "role")} if error else {}
    page = render_template("kampus/identity/staff_user.html", user=user, roles=roles, course_roles=COURSE_ROLES,
                           role_error=error, form=form)
    return page, status


@bp.post("/staff/users/<int:user_id>/active")
@require_permission("site.manage_users")
def staff_set_active(user_id: int) -> Response:
    user = _user_or_404(user_id)
    _may_change(user)
    active = _flag("active")
    if not active and user.id == current_user.id:
        abort(400, _("You cannot deactivate your own account."))
    user.is_active = active
    if not active:
        user.session_token = new_session_token()  # end the user's sessions
    db.session().commit()
    emit("kampus.identity.user.active_changed", {"user_id": user.id, "is_active": active})
    flash(_("The account is active.") if active else _("The account is deactivated."), "success")
    return _back(user)


@bp.post("/staff/users/<int:user_id>/staff")
@require_permission("site.manage_users")
def staff_set_staff(user_id: int) -> Response:
    user = _user_or_404(user_id)
    _may_change(user)
    value = _flag("is_staff")
    if not value and user.id == current_user.id:
        abort(400, _("You cannot remove your own staff status."))
    if not value and user.is_superuser:
        abort(400, _("A superuser is always global staff; remove the superuser status first."))
    user.is_staff = value
    db.session().commit()
    emit("kampus.identity.user.staff_changed", {"user_id": user.id, "is_staff": value})
    flash(_("The user is global staff.") if value else _("The user is no longer global staff."), "success")
    return _back(user)


@bp.post("/staff/users/<int:user_id>/superuser")
@require_permission("site.manage_users")
def staff_set_superuser(user_id: int) -> Response:
    if not current_user.is_superuser:
        abort(403, _("Only a superuser may change the superuser status."))
    user = _user_or_404(user_id)
    value = _flag("is_superuser")
    if not value and user.id == current_user.id:
        abort(400, _("You cannot remove your own superuser status."))
    user.is_superuser = value
    if value:
        user.is_staff = True
    db.session().commit()
    emit("kampus.identity.user.superuser_changed", {"user_id": user.id, "is_superuser": value})
    flash(_("The user is a superuser.") if value else _("The user is no longer a superuser."), "success")
    return _back(user)


@bp.post("/staff/users/<int:user_id>/roles")
@require_permission("site.manage_users")
def staff_change_role(user_id: int) -> Page:
    user = _user_or_404(user_id)
    course_id = request.form.get("course_id", "").strip()
    org = request.form.get("org", "").strip()
    role = request.form.get("role", "")
    action = request.form.get("action", "grant")
    error = None
    if role not in COURSE_ROLES:
        error = _("Choose a role.")
    elif bool(course_id) == bool(org):
        error = _("Give either a course id or an organisation.")
    elif course_id and not is_course_id(course_id):
        error = _("This is not a course id (course-v1:Org+Number+Run).")
    elif action not in ("grant", "revoke"):
        error = _("Unknown action.")
    if error:
        return _user_page(user, 400, error)
    db_session = db.session()
    scope = {"course_id": course_id, "org": org}
    if action == "grant":
        grant_role(db_session, user, role, **scope)
        flash(_("Role granted."), "success")
    elif revoke_role(db_session, user, role, **scope):
        flash(_("Role revoked."), "success")
    else:
        flash(_("The user did not hold this role."), "info")
    db_session.commit()
    emit(f"kampus.identity.role.{'granted' if action == 'grant' else 'revoked'}",
         {"user_id": user.id, "role": role, "org": org}, course_id=course_id or None)
    return _back(user)


@bp.post("/staff/users/<int:user_id>/sessions")
@require_permission("site.manage_users")
def staff_end_sessions(user_id: int) -> Response:
    """End every session of a user and revoke their API tokens."""
    user = _user_or_404(user_id)
    _may_change(user)
    user.session_token = new_session_token()
    db.session().execute(sa.update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                         .values(revoked_at=utcnow()))
    db.session().commit()
    flash(_("The user's sessions and API tokens are ended."), "success")
    return _back(user)
