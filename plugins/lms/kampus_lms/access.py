"""Who may see a course's courseware, and as whom (Open edX's ``courseware.access`` and masquerade).

:func:`course_access` answers, for a user and a published course, whether the
user may open its units:

* course staff (global staff, or a course role holding ``course.view_staff``:
  instructor, staff, TA) always may;
* an enrolled learner (or a holder of the ``learner`` / ``beta_tester`` course
  role) may once the course has started; a beta tester ``days_early_for_beta``
  days before, as in Open edX;
* anybody else is refused with a translated ``reason`` and a ``redirect``: the
  login page for a visitor, the about page (to enroll) for a logged-in user.

Masquerade is Open edX's "View this course as: Staff / Learner / Specific
learner / Learner in <content group>": a staff member picks it on any course
page; the choice is kept in the session per course. :func:`viewed_as` returns the
user whose data (scores, completion, visits) a page shows and whether staff rules
apply: masquerading as "Learner", staff see what a learner sees (no staff-only or
unreleased content); as a specific learner, that learner's data under learner
rules; as a learner in a content group (Open edX's ``user_partition_id`` and
``group_id``), what a learner of that group sees: :func:`masquerade_groups` is the
group the courseware's visibility rule then uses instead of the staff member's own.

Each answer is kept for the rest of the request (``flask.g``): a page asks as
often as it likes and the database is read once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import abort, flash, g, has_request_context, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from kampus_content.api import CourseNotFound, VersionNotFound, get_structure, release_info
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey
from werkzeug.wrappers import Response

from kampus import db
from kampus.db import utcnow
from kampus.identity.models import User
from kampus.identity.permissions import course_roles, permission_table
from kampus.identity.roles import BETA_TESTER, LEARNER, TA
from kampus_lms.catalog.api import about_url, course_overview
from kampus_lms.cohorts.api import content_groups
from kampus_lms.enrollment.api import is_enrolled

#: The session key holding the masquerade choices: ``{course_id: {"role": ..., "user_name": ...}}``.
SESSION_KEY = "lms_masquerade"
#: Masquerade roles, as Open edX names them.
STAFF_ROLE = "staff"
LEARNER_ROLE = "student"
#: The prefix of the staff toolbar's content-group choices (:func:`group_choice`).
GROUP_CHOICE = "group:"

#: Course roles that open the courseware without an enrollment (once the course started).
_VIEWING_ROLES = frozenset({LEARNER, BETA_TESTER, TA})


@dataclass(frozen=True)
class CourseAccess:
    """What a user may do in a course's courseware."""

    course_id: str
    is_staff: bool  #: course staff or global staff (whatever they masquerade as)
    is_enrolled: bool  #: an active enrollment
    can_view_courseware: bool  #: may open the course's units (as the viewer they chose)
    reason: str  #: when refused, a translated message saying why (else "")
    redirect: str | None = None  #: when refused, where to send the user (login or about page)
    is_authenticated: bool = False
    is_beta_tester: bool = False
    has_started: bool = True  #: the course has started (for this user: beta testers early)
    start: datetime | None = None  #: the course's start


@dataclass(frozen=True)
class Masquerade:
    """A staff member's masquerade choice in one course."""

    role: str  #: ``staff`` or ``student``
    user_name: str = ""  #: a specific learner's username (``student`` only), else ""
    user_partition_id: int | None = None  #: with ``group_id``: view as a learner of this content group
    group_id: int | None = None


def valid_course_key(course_id: str) -> bool:
    """True when ``course_id`` is a course key."""
    try:
        CourseKey.from_string(course_id)
    except InvalidKeyError:
        return False
    return True


def _request_cache() -> dict[Any, Any]:
    if not has_request_context():
        return {}
    cache = getattr(g, "_lms_access", None)
    if cache is None:
        cache = g._lms_access = {}
    return cache


def _user_key(user: Any) -> int | None:
    return getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None


def _staff_roles() -> set[str]:
    return permission_table().get("course.view_staff", set())


def course_access(user: Any, course_id: str, *, now: datetime | None = None) -> CourseAccess | None:
    """What ``user`` (anonymous or not) may do in the published course ``course_id``; ``None`` when no
    such published course exists (callers answer 404)."""
    cache = _request_cache()
    marker = ("access", _user_key(user), course_id, now)
    if marker in cache:
        return cache[marker]  # type: ignore[no-any-return]
    result = _course_access(user, course_id, now or utcnow())
    cache[marker] = result
    return result


def _course_access(user: Any, course_id: str, now: datetime) -> CourseAccess | None:
    if not valid_course_key(course_id):
        return None
    overview = course_overview(course_id)
    if overview is None:
        return None
    authenticated = bool(getattr(user, "is_authenticated", False)) and bool(getattr(user, "is_active", True))
    if not authenticated:
        login = url_for("identity.login", next=request.full_path.rstrip("?")) if has_request_context() else None
        return CourseAccess(course_id, False, False, False, _("Log in to see this course."), login,
                            has_started=overview.has_started(now), start=overview.start)
    roles = course_roles(user, course_id)
    staff = bool(user.is_staff or getattr(user, "is_superuser", False) or roles & _staff_roles())
    enrolled = is_enrolled(user.id, course_id)
    beta = BETA_TESTER in roles
    started = overview.has_started(now)
    if not started and beta:
        started = _released_for_beta(course_id, now)
    if staff:
        return CourseAccess(course_id, True, enrolled, True, "", None, True, beta, started, overview.start)
    if not (enrolled or roles & _VIEWING_ROLES):
        return CourseAccess(course_id, False, False, False,
                            _("Enroll in this course to see its content."), about_url(course_id), True, beta,
                            started, overview.start)
    if not started:
        return CourseAccess(course_id, False, enrolled, False, _("This course has not started yet."),
                            about_url(course_id), True, beta, False, overview.start)
    return CourseAccess(course_id, False, enrolled, True, "", None, True, beta, True, overview.start)


def checked_course_access(course_id: str) -> CourseAccess | Response:
    """The current user's access to the course's courseware when they may view it, else the response
    refusing it: 404 (``abort``) for a malformed, unknown or unpublished course; for anybody else the
    reason flashed and a redirect (the login page for a visitor, the about page for a learner).
    Course pages (courseware, course home, progress) share this one rule."""
    access = course_access(current_user._get_current_object(), course_id)
    if access is None:
        abort(404)
    if access.can_view_courseware:
        return access
    flash(access.reason, "warning")
    return redirect(access.redirect or about_url(course_id))


def _released_for_beta(course_id: str, now: datetime) -> bool:
    """Whether the course's root is released for beta testers (``days_early_for_beta``)."""
    try:
        structure = get_structure(course_id)
    except (CourseNotFound, VersionNotFound):
        return False
    info = release_info(structure)
    return info.has_beta_days and info.visible(structure.root, now, True)


# -- masquerade ----------------------------------------------------------------------------------------------------


def group_choice(user_partition_id: int, group_id: int) -> str:
    """The staff toolbar's choice value of a content group, ``group:<partition id>:<group id>``."""
    return f"{GROUP_CHOICE}{int(user_partition_id)}:{int(group_id)}"


def parse_group_choice(value: str) -> tuple[int, int] | None:
    """``(user_partition_id, group_id)`` of a :func:`group_choice` value, or ``None``."""
    if not value.startswith(GROUP_CHOICE):
        return None
    partition, _sep, group = value[len(GROUP_CHOICE):].partition(":")
    try:
        return int(partition), int(group)
    except ValueError:
        return None


def masquerade_of(course_id: str) -> Masquerade | None:
    """The masquerade the current session chose in ``course_id`` (``None``: none, i.e. staff)."""
    if not has_request_context():
        return None
    chosen = (session.get(SESSION_KEY) or {}).get(course_id)
    if not isinstance(chosen, dict) or chosen.get("role") != LEARNER_ROLE:
        return None
    partition, group = chosen.get("user_partition_id"), chosen.get("group_id")
    if isinstance(partition, int) and isinstance(group, int):
        return Masquerade(LEARNER_ROLE, "", partition, group)
    return Masquerade(LEARNER_ROLE, str(chosen.get("user_name") or ""))


class MasqueradeError(ValueError):
    """A masquerade that cannot be set (its message is translated and shown to the user)."""


def set_masquerade(user: Any, course_id: str, role: str, user_name: str = "", *,
                   user_partition_id: int | None = None, group_id: int | None = None) -> Masquerade | None:
    """Keep ``user``'s masquerade choice in ``course_id`` in the session; returns it (``None`` for staff).
    ``user_partition_id`` and ``group_id`` (role ``student``, no ``user_name``) choose a learner of that
    content group.

    Raises :class:`MasqueradeError` when ``user`` is not course staff, the role is unknown, the
    specific learner does not exist or is not enrolled in the course, or the course has no such group.
    """
    access = course_access(user, course_id)
    if access is None or not access.is_staff:
        raise MasqueradeError(_("Only course staff can view the course as someone else."))
    user_name = (user_name or "").strip()
    if role not in (STAFF_ROLE, LEARNER_ROLE):
        raise MasqueradeError(_("Choose Staff, Learner or a specific learner."))
    chosen: Masquerade | None = None
    if role == LEARNER_ROLE and (group_id is not None or user_partition_id is not None):
        if user_name or not any(group.partition_id == user_partition_id and group.id == group_id
                                for group in content_groups(course_id)):
            raise MasqueradeError(_("This course has no such content group."))
        chosen = Masquerade(LEARNER_ROLE, "", user_partition_id, group_id)
    elif role == LEARNER_ROLE:
        if user_name:
            learner = find_user(user_name)
            if learner is None or not is_enrolled(learner.id, course_id):
                raise MasqueradeError(_("There is no user with the username or email address %(name)s "
                                        "enrolled in this course.", name=user_name))
            user_name = learner.username
        chosen = Masquerade(LEARNER_ROLE, user_name)
    stored = dict(session.get(SESSION_KEY) or {})
    if chosen is None:
        stored.pop(course_id, None)
    else:
        stored[course_id] = {"role": chosen.role, "user_name": chosen.user_name,
                             "user_partition_id": chosen.user_partition_id, "group_id": chosen.group_id}
    session[SESSION_KEY] = stored
    _request_cache().clear()
    return chosen


def find_user(name: str) -> User | None:
    """The active user with this username or e-mail address (case-insensitive), or ``None``."""
    lowered = name.strip().lower()
    return db.session().scalar(sa.select(User).where(
        sa.or_(sa.func.lower(User.username) == lowered, sa.func.lower(User.email) == lowered),
        User.is_active.is_(True)))


def viewed_as(user: Any, course_id: str) -> tuple[Any, bool]:
    """``(user_for_data, staff_view)``: whose data a course page shows to ``user`` and whether staff
    rules apply (staff-only and unreleased content shown).

    Learners get ``(user, False)``; staff ``(user, True)``, or ``(user, False)`` masquerading as a
    learner, or ``(that learner, False)`` masquerading as a specific learner.
    """
    cache = _request_cache()
    marker = ("viewed_as", _user_key(user), course_id)
    if marker in cache:
        return cache[marker]  # type: ignore[no-any-return]
    access = course_access(user, course_id)
    result: tuple[Any, bool] = (user, False)
    if access is not None and access.is_staff:
        chosen = masquerade_of(course_id)
        if chosen is None:
            result = (user, True)
        elif chosen.user_name:
            learner = find_user(chosen.user_name)
            result = (learner, False) if learner is not None else (user, False)
    cache[marker] = result
    return result


def masquerade_groups(user: Any, course_id: str) -> dict[int, int] | None:
    """The content groups the visibility rule uses when ``user`` is course staff viewing the course as a
    generic learner: ``{user_partition_id: group_id}`` of the chosen group, or ``{}`` (no group: as Open
    edX's cohort scheme, a masquerade is in no group it did not choose, whatever the staff member's own
    cohort); ``None`` without such a masquerade (a specific learner's groups are their own)."""
    access = course_access(user, course_id)
    if access is None or not access.is_staff:
        return None
    chosen = masquerade_of(course_id)
    if chosen is None or chosen.user_name:
        return None
    if chosen.group_id is None or chosen.user_partition_id is None:
        return {}
    return {chosen.user_partition_id: chosen.group_id}


def staff_toolbar(user: Any, course_id: str) -> dict[str, Any] | None:
    """What the staff toolbar of a course page shows (``None`` for non-staff): the current choice
    and the URL its form posts to."""
    access = course_access(user, course_id)
    if access is None or not access.is_staff:
        return None
    chosen = masquerade_of(course_id)
    groups = content_groups(course_id)
    viewed = (chosen.user_partition_id, chosen.group_id) if chosen else None
    group = next((item for item in groups if (item.partition_id, item.id) == viewed), None)
    return {
        "course_id": course_id,
        "role": chosen.role if chosen else STAFF_ROLE,
        "user_name": chosen.user_name if chosen else "",
        "groups": [{"value": group_choice(item.partition_id, item.id), "name": item.name} for item in groups],
        "group": group_choice(group.partition_id, group.id) if group else "",
        "group_name": group.name if group else "",
        "action": url_for("lms_courseware.masquerade", course_id=course_id),
        "next": request.full_path.rstrip("?") if has_request_context() else "",
    }
