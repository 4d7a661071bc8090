"""Open edX's forum roles (``django_comment_common.models``: Administrator, Moderator, Group Moderator,
Community TA, Student) as Kampus's course roles, and the changes to who holds them.

A forum role is a kernel course role (:mod:`kampus.identity.roles`), granted and revoked through
:func:`kampus.identity.permissions.grant_role` / ``revoke_role``; every change is written to the audit log.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from kampus import db
from kampus.identity.models import CourseAccessRole, User
from kampus.identity.permissions import grant_role, revoke_role
from kampus.identity.roles import COMMUNITY_TA, DISCUSSION_ADMIN, DISCUSSION_MODERATOR, GROUP_MODERATOR
from kampus_forums.access import ForumUser
from kampus_forums.moderation import audit

ADMINISTRATOR = "Administrator"
MODERATOR = "Moderator"
GROUP_MODERATOR_NAME = "Group Moderator"
COMMUNITY_TA_NAME = "Community TA"
STUDENT = "Student"

#: Open edX's role name -> Kampus's course role.
FORUM_ROLES: dict[str, str] = {
    ADMINISTRATOR: DISCUSSION_ADMIN,
    MODERATOR: DISCUSSION_MODERATOR,
    GROUP_MODERATOR_NAME: GROUP_MODERATOR,
    COMMUNITY_TA_NAME: COMMUNITY_TA,
}
ROLE_NAMES: dict[str, str] = {role: name for name, role in FORUM_ROLES.items()}


def forum_role_names(who: ForumUser) -> list[str]:
    """The user's forum role names in the course (Open edX's ``user_roles``): the forum roles held, and
    ``Student`` for an enrolled user or one with no forum role."""
    names = {ROLE_NAMES[role] for role in who.roles if role in ROLE_NAMES}
    if who.enrolled or not names:
        names.add(STUDENT)
    return sorted(names)


def role_members(course_id: str, role_name: str) -> list[User]:
    """The users holding the forum role ``role_name`` in the course, by username."""
    role = FORUM_ROLES[role_name]
    return list(db.session().scalars(
        sa.select(User).join(CourseAccessRole, CourseAccessRole.user_id == User.id)
        .where(CourseAccessRole.course_id == str(course_id), CourseAccessRole.role == role)
        .order_by(User.username)).unique())


def change_role(course_id: str, user: User, role_name: str, allow: bool, *, moderator: Any) -> bool:
    """Grant (``allow``) or revoke the forum role ``role_name`` of ``user``, with an audit entry when it
    changed; commits. Returns whether anything changed."""
    role = FORUM_ROLES[role_name]
    session = db.session()
    held = session.scalar(sa.select(sa.func.count()).select_from(CourseAccessRole).where(
        CourseAccessRole.user_id == user.id, CourseAccessRole.course_id == str(course_id),
        CourseAccessRole.org == "", CourseAccessRole.role == role)) or 0
    if allow and held:
        return False
    if allow:
        grant_role(session, user, role, str(course_id))
    elif not revoke_role(session, user, role, str(course_id)):
        return False
    audit.record(course_id, moderator, audit.ROLE_GRANTED if allow else audit.ROLE_REVOKED, target_type="user",
                 target_id=user.id, target_user_id=user.id, details={"role": role_name})
    session.commit()
    return True
