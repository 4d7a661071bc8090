"""The permission API: course roles, global staff, and permissions plugins declare.

Every view and API that needs more than a login asks this module::

    from kampus.identity.permissions import has_permission, require_permission

    @bp.get("/courses/<course_id>/instructor")
    @require_permission("course.manage", course_arg="course_id")
    def instructor_dashboard(course_id): ...

Global staff hold every permission. A course role is held through the role
table (granted here) or through a plugin's ``kampus_user_course_roles`` answer
(for example the LMS's enrollments give ``learner``); :func:`course_roles_of` reads
several users' roles at once (the batch hook ``kampus_users_course_roles``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import abort, current_app, g, has_request_context
from flask_login import current_user
from sqlalchemy.orm import Session

from kampus import db
from kampus.course_keys import org_of
from kampus.current import current_kampus
from kampus.identity.models import CourseAccessRole, User
from kampus.identity.roles import ANY_USER, COURSE_ROLES

F = TypeVar("F", bound=Callable[..., Any])


def grant_role(db_session: Session, user: User, role: str, course_id: str = "", org: str = "") -> CourseAccessRole:
    """Grant ``role`` on ``course_id`` (or on every course of ``org``); idempotent."""
    if role not in COURSE_ROLES:
        raise ValueError(f"unknown course role {role!r}")
    if not course_id and not org:
        raise ValueError("a course role needs a course_id or an org")
    existing = db_session.scalar(
        sa.select(CourseAccessRole).where(
            CourseAccessRole.user_id == user.id,
            CourseAccessRole.course_id == course_id,
            CourseAccessRole.org == org,
            CourseAccessRole.role == role,
        )
    )
    if existing is not None:
        return existing
    record = CourseAccessRole(user_id=user.id, course_id=course_id, org=org, role=role)
    db_session.add(record)
    db_session.flush()
    forget_course_roles()
    return record


def revoke_role(db_session: Session, user: User, role: str, course_id: str = "", org: str = "") -> bool:
    """Revoke ``role``; False when it was not held."""
    result = db_session.execute(
        sa.delete(CourseAccessRole).where(
            CourseAccessRole.user_id == user.id,
            CourseAccessRole.course_id == course_id,
            CourseAccessRole.org == org,
            CourseAccessRole.role == role,
        )
    )
    forget_course_roles()
    return bool(result.rowcount)


def forget_course_roles() -> None:
    """Drop the course roles this request has read (a plugin whose answer to
    ``kampus_user_course_roles`` changed, e.g. a new enrollment, calls it)."""
    if has_request_context():
        g.pop("_kampus_course_roles", None)


def course_roles(user: Any, course_id: str) -> set[str]:
    """The course roles ``user`` holds in ``course_id`` (role table and plugins), read once per request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    cache: dict[tuple[int, str], frozenset[str]] | None = None
    if has_request_context():
        cache = g.setdefault("_kampus_course_roles", {})
        known = cache.get((user.id, str(course_id)))
        if known is not None:
            return set(known)
    roles = _read_course_roles(user, course_id)
    if cache is not None:
        cache[(user.id, str(course_id))] = frozenset(roles)
    return roles


#: a role row held in ``:course_id``, or org-wide in its ``:org``
_IN_COURSE_OR_ORG = sa.or_(
    CourseAccessRole.course_id == sa.bindparam("course_id"),
    sa.and_(CourseAccessRole.course_id == "", CourseAccessRole.org == sa.bindparam("org"),
            CourseAccessRole.org != ""),
)
#: the roles of ``:user_id`` in the course (built once: every course page asks)
_COURSE_ROLES = sa.select(CourseAccessRole.role).where(
    CourseAccessRole.user_id == sa.bindparam("user_id"), _IN_COURSE_OR_ORG)


def _read_course_roles(user: Any, course_id: str) -> set[str]:
    rows = db.session().scalars(_COURSE_ROLES, {"user_id": user.id, "course_id": str(course_id),
                                                "org": org_of(course_id)})
    roles = set(rows)
    for extra in current_kampus().hook.kampus_user_course_roles(user_id=user.id, course_id=course_id):
        roles.update(extra or ())
    return roles


#: the table roles of several users (``:user_ids``) in the course
_USERS_COURSE_ROLES = sa.select(CourseAccessRole.user_id, CourseAccessRole.role).where(
    CourseAccessRole.user_id.in_(sa.bindparam("user_ids", expanding=True)), _IN_COURSE_OR_ORG)


def _single_role_hook() -> Any:
    """``kampus_user_course_roles`` of the plugins that do not answer the batch form
    ``kampus_users_course_roles`` (kept per app: plugins are fixed at start-up)."""
    kampus = current_kampus()

    def make() -> Any:
        batch = {impl.plugin for impl in kampus.pm.hook.kampus_users_course_roles.get_hookimpls()}
        return kampus.pm.subset_hook_caller("kampus_user_course_roles", remove_plugins=batch)

    return kampus.kept("single_course_roles_hook", make)


def course_roles_of(users: list[Any], course_id: str) -> dict[int, set[str]]:
    """:func:`course_roles` of several users at once, ``{user_id: roles}`` (every authenticated user of
    ``users`` is a key): the role table read in one query, the plugins asked through the batch hook
    ``kampus_users_course_roles`` (a plugin without it through ``kampus_user_course_roles``, per user).
    Not cached: a batch of learners is read once by its caller."""
    wanted = [user for user in users if user is not None and getattr(user, "is_authenticated", False)]
    roles: dict[int, set[str]] = {int(user.id): set() for user in wanted}
    if not wanted:
        return roles
    user_ids = sorted(roles)
    course_id = str(course_id)
    for user_id, role in db.session().execute(_USERS_COURSE_ROLES, {
            "user_ids": user_ids, "course_id": course_id, "org": org_of(course_id)}):
        roles[user_id].add(role)
    for answer in current_kampus().hook.kampus_users_course_roles(user_ids=user_ids, course_id=course_id):
        for user_id, extra in (answer or {}).items():
            if user_id in roles:
                roles[user_id].update(extra or ())
    single = _single_role_hook()
    if single.get_hookimpls():
        for user_id in user_ids:
            for extra in single(user_id=user_id, course_id=course_id):
                roles[user_id].update(extra or ())
    return roles


def permission_table() -> dict[str, set[str]]:
    """Every declared permission with the roles that hold it (gathered once per app: plugins are
    fixed at start-up)."""
    kampus = current_kampus()

    def gather() -> dict[str, set[str]]:
        table: dict[str, set[str]] = {}
        for declared in kampus.hook.kampus_permissions():
            for name, roles in (declared or {}).items():
                table.setdefault(name, set()).update(roles)
        return table

    return kampus.kept("permission_table", gather)


def has_permission(user: Any, permission: str, course_id: str | None = None) -> bool:
    """True when ``user`` holds ``permission`` (in ``course_id`` for course permissions)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    table = permission_table()
    if permission not in table:
        raise LookupError(f"undeclared permission {permission!r}")
    if user.is_staff or user.is_superuser:
        return True
    allowed = table[permission]
    if ANY_USER in allowed:
        return True
    if not course_id:
        return False
    return bool(allowed & course_roles(user, course_id))


def require_permission(permission: str, course_arg: str | None = None) -> Callable[[F], F]:
    """Decorate a view: the login page (401 for API clients) when anonymous, 403 without ``permission``.

    ``course_arg`` names the view argument holding the course id.
    """

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            course_id = kwargs.get(course_arg) if course_arg else None
            if not has_permission(current_user, permission, course_id):
                abort(403, "You do not have permission to do this.")
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate
