"""The `courses` area's API: course creation and rerun, the course list, the course team.

Open edX's behaviour (``cms/djangoapps/contentstore/views/course.py``, ``course_team``):

* a course key is ``course-v1:<org>+<number>+<run>``; each part is letters, digits and ``_ - . ~``
  (no spaces), the three together at most 65 characters; a key that exists already, in any letter
  case, is refused;
* a new course's root holds its display name and Open edX's default start (2030-01-01), so nothing
  is visible to learners until the team sets a date and publishes; its creator becomes the course's
  Admin (roles ``instructor`` and ``staff``, as ``add_instructor`` does);
* a rerun (:mod:`kampus_studio.courses.reruns`, a background task) copies the source's draft into the
  new key with the new display name and the default start; the new run starts unpublished (draft only)
  with its creator as Admin (Open edX copies no team either); a key being made by a rerun is taken;
* the team: Admin (``instructor``) and Staff (``staff``) per course; the last Admin cannot be removed
  nor made Staff.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from kampus_content.api import DRAFT, Block, CourseExists, CourseNotFound, content_store, get_structure
from opaque_keys import InvalidKeyError
from opaque_keys.edx.locator import CourseLocator

from kampus import db
from kampus.current import current_kampus
from kampus.identity.models import CourseAccessRole, User
from kampus.identity.permissions import grant_role, has_permission, revoke_role
from kampus.identity.roles import INSTRUCTOR, STAFF
from kampus_studio.courses.models import IN_PROGRESS, StudioCourseRerun

#: Open edX's default course start (``CourseFields.start.default``): far in the future.
DEFAULT_START = "2030-01-01T00:00:00Z"
#: Open edX's limit on org + number + run (``MAX_SUM_KEY_LENGTH``).
MAX_KEY_LENGTH = 65
KEY_PART = re.compile(r"^[\w\-.~]+$")
#: The team roles Studio shows: Admin and Staff.
ADMIN, TEAM_STAFF = "admin", "staff"
TEAM_ROLES = (ADMIN, TEAM_STAFF)
#: Who may create courses (setting ``studio_course_creators``).
CREATORS_STAFF, CREATORS_ANYONE = "staff", "anyone"


class CourseFormError(ValueError):
    """The request is wrong; ``errors`` maps each field to its message, ``status`` is the HTTP status."""

    def __init__(self, errors: dict[str, str], status: int = 400):
        super().__init__(next(iter(errors.values())))
        self.errors = errors
        self.status = status


@dataclass(frozen=True)
class CourseSummary:
    """One course of the course list."""

    course_id: str
    display_name: str
    org: str
    number: str
    run: str
    published: bool


@dataclass(frozen=True)
class TeamMember:
    """One member of a course team."""

    user_id: int
    username: str
    email: str
    role: str  # "admin" | "staff"


# -- who may create ----------------------------------------------------------------------------------------------


def may_create_courses(user: Any) -> bool:
    """Whether ``user`` may create courses: global staff always; anyone signed in when the setting
    ``studio_course_creators`` is ``anyone`` (Open edX's ``ENABLE_CREATOR_GROUP`` off)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if has_permission(user, "studio.create_course"):
        return True
    return bool(current_kampus().settings.get("studio_course_creators") == CREATORS_ANYONE and user.is_active)


# -- the course list ----------------------------------------------------------------------------------------------


def authored_course_ids(user: Any) -> set[str] | None:
    """The ids of the courses ``user`` is on the team of; ``None`` for global staff (every course)."""
    if user.is_staff or user.is_superuser:
        return None
    rows = db.session().execute(sa.select(CourseAccessRole.course_id, CourseAccessRole.org).where(
        CourseAccessRole.user_id == user.id, CourseAccessRole.role.in_((STAFF, INSTRUCTOR))))
    ids: set[str] = set()
    orgs: set[str] = set()
    for course_id, org in rows:
        if course_id:
            ids.add(course_id)
        elif org:
            orgs.add(org)
    if orgs:
        ids.update(index.course_key for index in content_store().list_courses() if index.org in orgs)
    return ids


def list_courses(user: Any) -> list[CourseSummary]:
    """The courses ``user`` may author (global staff: all), sorted by display name then key."""
    allowed = authored_course_ids(user)
    summaries = []
    for index in content_store().list_courses():
        if allowed is not None and index.course_key not in allowed:
            continue
        try:
            structure = get_structure(index.course_key, DRAFT)
        except CourseNotFound:
            continue
        root = structure.get(structure.root)
        name = (root.fields.get("display_name") if root else None) or index.course_key
        summaries.append(CourseSummary(index.course_key, str(name), index.org, index.course, index.run,
                                       index.published_version is not None))
    return sorted(summaries, key=lambda c: (c.display_name.lower(), c.course_id))


# -- creation and rerun ---------------------------------------------------------------------------------------


def validate_new_key(org: str, number: str, run: str, display_name: str) -> str:
    """The course id made of the parts, or :class:`CourseFormError` with a message per wrong field."""
    errors: dict[str, str] = {}
    parts = {"org": (org or "").strip(), "number": (number or "").strip(), "run": (run or "").strip()}
    labels = {"org": "Organization", "number": "Course number", "run": "Course run"}
    for name, value in parts.items():
        if not value:
            errors[name] = f"{labels[name]} is required."
        elif not KEY_PART.match(value):
            errors[name] = (f"{labels[name]} may contain only letters, digits, '_', '-', '.' and '~' "
                            "(no spaces or other special characters).")
    if not (display_name or "").strip():
        errors["display_name"] = "Course name is required."
    elif len(display_name) > 255:
        errors["display_name"] = "Course name is at most 255 characters."
    if not errors and sum(len(v) for v in parts.values()) > MAX_KEY_LENGTH:
        errors["run"] = (f"The combined length of the organization, course number and course run fields "
                         f"cannot be more than {MAX_KEY_LENGTH} characters.")
    if errors:
        raise CourseFormError(errors)
    try:
        course_id = str(CourseLocator(parts["org"], parts["number"], parts["run"]))
    except InvalidKeyError as error:
        raise CourseFormError({"org": f"Not a valid course key: {error}"}) from error
    lowered = course_id.lower()
    if any(index.course_key.lower() == lowered for index in content_store().list_courses()):
        raise CourseFormError({"run": "There is already a course defined with the same organization, course "
                                      "number and course run. Please change at least one field to be unique."},
                              status=409)
    if lowered in _keys_being_rerun():
        raise CourseFormError({"run": "A course with the same organization, course number and course run is being "
                                      "created by a re-run. Please change at least one field to be unique."},
                              status=409)
    return course_id


def _keys_being_rerun() -> set[str]:
    """The lowercased keys of the courses a rerun is making (see :mod:`kampus_studio.courses.reruns`)."""
    rows = db.session().scalars(sa.select(StudioCourseRerun.course_key)
                                .where(StudioCourseRerun.state == IN_PROGRESS))
    return {key.lower() for key in rows}


def _make_admin(user: Any, course_id: str) -> None:
    session = db.session()
    account = session.get(User, user.id)
    grant_role(session, account, INSTRUCTOR, course_id)
    grant_role(session, account, STAFF, course_id)
    session.commit()


def create_course(user: Any, org: str, number: str, run: str, display_name: str) -> str:
    """Create an empty course (its root only) and make ``user`` its Admin; returns the course id.

    Raises :class:`CourseFormError` (400 invalid, 409 taken).
    """
    course_id = validate_new_key(org, number, run, display_name)
    root = Block("course", "course", {"display_name": display_name.strip(), "start": DEFAULT_START})
    try:
        content_store().create_course(course_id, [root], root.key, user_id=user.id,
                                      message="create course")
    except CourseExists as error:
        raise CourseFormError({"run": "There is already a course defined with the same organization, course "
                                      "number and course run."}, status=409) from error
    _make_admin(user, course_id)
    return course_id


# -- the course team ---------------------------------------------------------------------------------------------


def team(course_id: str) -> list[TeamMember]:
    """The course's Admins and Staff (course-specific roles), Admins first, then by username."""
    rows = db.session().execute(
        sa.select(User.id, User.username, User.email, CourseAccessRole.role)
        .join(CourseAccessRole, CourseAccessRole.user_id == User.id)
        .where(CourseAccessRole.course_id == course_id, CourseAccessRole.role.in_((STAFF, INSTRUCTOR))))
    members: dict[int, TeamMember] = {}
    for user_id, username, email, role in rows:
        known = members.get(user_id)
        if role == INSTRUCTOR or known is None:
            members[user_id] = TeamMember(user_id, username, email, ADMIN if role == INSTRUCTOR else TEAM_STAFF)
    return sorted(members.values(), key=lambda m: (m.role != ADMIN, m.username.lower()))


def _find_user(identifier: str) -> User:
    value = (identifier or "").strip()
    if not value:
        raise CourseFormError({"email": "Give the username or e-mail address of the person to add."})
    session = db.session()
    column = User.email if "@" in value else User.username
    user = session.scalar(sa.select(User).where(sa.func.lower(column) == value.lower()))
    if user is None or not user.is_active:
        raise CourseFormError({"email": f"Could not find user by username or e-mail address '{value}'."}, status=404)
    return user


def _user(user_id: int) -> User:
    user = db.session().get(User, user_id)
    if user is None:
        raise CourseFormError({"user": "No such user."}, status=404)
    return user


def _admins(course_id: str) -> set[int]:
    return set(db.session().scalars(sa.select(CourseAccessRole.user_id).where(
        CourseAccessRole.course_id == course_id, CourseAccessRole.role == INSTRUCTOR)))


def set_member_role(course_id: str, user: User, role: str) -> TeamMember:
    """Put ``user`` on the team with ``role`` (``admin`` or ``staff``); the last Admin stays Admin."""
    if role not in TEAM_ROLES:
        raise CourseFormError({"role": f"Role must be one of: {', '.join(TEAM_ROLES)}."})
    session = db.session()
    admins = _admins(course_id)
    if role == TEAM_STAFF and admins == {user.id}:
        raise CourseFormError({"role": "A course must keep at least one Admin: make someone else Admin first."},
                              status=409)
    grant_role(session, user, STAFF, course_id)
    if role == ADMIN:
        grant_role(session, user, INSTRUCTOR, course_id)
    else:
        revoke_role(session, user, INSTRUCTOR, course_id)
    session.commit()
    return TeamMember(user.id, user.username, user.email, role)


def add_member(course_id: str, identifier: str, role: str = TEAM_STAFF) -> TeamMember:
    """Add the user named by username or e-mail to the team (409 when already on it)."""
    user = _find_user(identifier)
    if any(member.user_id == user.id for member in team(course_id)):
        raise CourseFormError({"email": f"{user.username} is already on this course's team."}, status=409)
    return set_member_role(course_id, user, role)


def change_member_role(course_id: str, user_id: int, role: str) -> TeamMember:
    """Change a team member's role."""
    user = _user(user_id)
    if not any(member.user_id == user_id for member in team(course_id)):
        raise CourseFormError({"user": "This user is not on the course team."}, status=404)
    return set_member_role(course_id, user, role)


def remove_member(course_id: str, user_id: int) -> None:
    """Take a user off the team (both roles); the last Admin cannot be removed."""
    user = _user(user_id)
    if not any(member.user_id == user_id for member in team(course_id)):
        raise CourseFormError({"user": "This user is not on the course team."}, status=404)
    if _admins(course_id) == {user_id}:
        raise CourseFormError({"user": "The last Admin of a course cannot be removed: make someone else Admin "
                                       "first."}, status=409)
    session = db.session()
    revoke_role(session, user, INSTRUCTOR, course_id)
    revoke_role(session, user, STAFF, course_id)
    session.commit()


__all__ = [
    "ADMIN", "CREATORS_ANYONE", "CREATORS_STAFF", "DEFAULT_START", "TEAM_ROLES", "TEAM_STAFF", "CourseFormError",
    "CourseSummary", "TeamMember", "add_member", "change_member_role", "create_course", "list_courses",
    "may_create_courses", "remove_member", "team", "validate_new_key",
]
