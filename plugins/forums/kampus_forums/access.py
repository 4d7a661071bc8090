"""Who may do what in a course's forums: one place for the role rules every area applies.

Open edX's forum roles (``django_comment_common``): Administrator, Moderator, Group Moderator,
Community TA and Student. Course staff, instructors and global staff count as moderators (Open
edX's ``is_privileged``). A group moderator moderates the threads of their own cohort only. A
community TA may endorse, pin and close but not delete others' posts or change settings.

:func:`forum_user` gathers, once per request, what the rules need about the current user in a
course; the other functions read it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any, NamedTuple

import sqlalchemy as sa
from flask import g, has_request_context
from flask_babel import lazy_gettext as _l
from kampus_lms import api as lms
from sqlalchemy import orm

from kampus import db
from kampus.course_keys import org_of
from kampus.db import utcnow
from kampus.identity.models import CourseAccessRole, User
from kampus.identity.permissions import course_roles
from kampus.identity.profiles import UserProfile
from kampus.identity.roles import (
    COMMUNITY_TA,
    DISCUSSION_ADMIN,
    DISCUSSION_MODERATOR,
    GROUP_MODERATOR,
    INSTRUCTOR,
    STAFF,
    TA,
)
from kampus_forums.moderation.models import BAN, COURSE_SCOPE, MUTE, ORG_SCOPE, Restriction, RestrictionException
from kampus_forums.topics.groups import group_of

#: Roles that moderate every thread of the course.
MODERATOR_ROLES = frozenset({DISCUSSION_ADMIN, DISCUSSION_MODERATOR, STAFF, INSTRUCTOR})
#: Roles whose holders are "privileged" in Open edX's sense (see all groups, post to any, endorse).
PRIVILEGED_ROLES = MODERATOR_ROLES | {COMMUNITY_TA, GROUP_MODERATOR, TA}

#: Permissions the forums declare (``kampus_permissions``).
PERMISSIONS: dict[str, list[str]] = {
    "forums.moderate": sorted(MODERATOR_ROLES),
    "forums.endorse": sorted(PRIVILEGED_ROLES),
    "forums.manage_roles": [DISCUSSION_ADMIN, INSTRUCTOR, STAFF],
    "forums.settings": [DISCUSSION_ADMIN, INSTRUCTOR, STAFF],
}

#: Open edX's ``author_label`` values.
LABEL_STAFF = "Staff"
LABEL_MODERATOR = "Moderator"
LABEL_COMMUNITY_TA = "Community TA"


@dataclass(frozen=True)
class ForumUser:
    """What the rules need to know about one user in one course (each answer worked out once: a page of posts
    asks them for every post)."""

    user: Any
    course_id: str
    roles: frozenset[str]
    enrolled: bool
    #: the user's group: their enrollment track's when the course is divided by track, else their cohort's
    #: when it is cohorted (:func:`kampus_forums.topics.groups.group_of`)
    group_id: int | None

    @cached_property
    def id(self) -> int:
        return int(self.user.id)

    @cached_property
    def username(self) -> str:
        return str(self.user.username)

    @cached_property
    def is_global_staff(self) -> bool:
        return bool(self.user.is_staff or self.user.is_superuser)

    @cached_property
    def is_moderator(self) -> bool:
        """Moderates every thread: edit, delete, pin, close, clear flags, ban and mute."""
        return self.is_global_staff or bool(self.roles & MODERATOR_ROLES)

    @cached_property
    def is_group_moderator(self) -> bool:
        return GROUP_MODERATOR in self.roles

    @cached_property
    def is_community_ta(self) -> bool:
        return COMMUNITY_TA in self.roles

    @cached_property
    def is_privileged(self) -> bool:
        """Open edX's privileged user: sees every group's threads, may endorse, pin and close."""
        return self.is_global_staff or bool(self.roles & PRIVILEGED_ROLES)

    @cached_property
    def can_read(self) -> bool:
        """May read the course's forums: enrolled, or on the course team."""
        return self.enrolled or self.is_privileged

    def moderates_group(self, group_id: int | None) -> bool:
        """Whether this user moderates a thread of ``group_id`` (a group moderator: their cohort only)."""
        if self.is_moderator:
            return True
        return self.is_group_moderator and group_id is not None and group_id == self.group_id

    def sees_group(self, group_id: int | None) -> bool:
        """Whether a thread of ``group_id`` is visible to this user (no group: everyone)."""
        return group_id is None or self.is_privileged or group_id == self.group_id

    def visible_group_ids(self) -> list[int] | None:
        """The groups whose threads this user may list, or ``None`` for all of them."""
        if self.is_privileged:
            return None
        return [self.group_id] if self.group_id is not None else []


def forum_user(user: Any, course_id: str) -> ForumUser | None:
    """The :class:`ForumUser` of ``user`` in the course (``None`` for an anonymous visitor), read once per
    request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    key = (int(user.id), str(course_id))
    cache: dict[tuple[int, str], ForumUser] | None = None
    if has_request_context():
        cache = g.setdefault("_kampus_forum_users", {})
        if key in cache:
            return cache[key]
    who = ForumUser(user=user, course_id=str(course_id), roles=frozenset(course_roles(user, course_id)),
                    enrolled=lms.is_enrolled(user.id, course_id), group_id=group_of(user.id, course_id))
    if cache is not None:
        cache[key] = who
    return who


_GLOBAL_STAFF = sa.or_(User.is_staff.is_(True), User.is_superuser.is_(True))  # who hold no course role
#: users ``:ids`` with their course roles in ``:course_id`` (or its ``:org``), if any, and the profile of user
#: ``:profile_of``; built once
_PEOPLE_ROWS = (
    sa.select(User.id, User.username, _GLOBAL_STAFF.label("global_staff"), CourseAccessRole.role, UserProfile)
    .outerjoin(CourseAccessRole, sa.and_(
        CourseAccessRole.user_id == User.id,
        sa.or_(CourseAccessRole.course_id == sa.bindparam("course_id"),
               sa.and_(CourseAccessRole.course_id == "", CourseAccessRole.org == sa.bindparam("org"),
                       CourseAccessRole.org != ""))))
    .outerjoin(UserProfile, sa.and_(UserProfile.user_id == User.id, User.id == sa.bindparam("profile_of")))
    .where(User.id.in_(sa.bindparam("ids", expanding=True)))
    # the profile image's two columns only (what a page shows of the profile), not the whole profile
    .options(orm.load_only(UserProfile.user_id, UserProfile.profile_image_name, UserProfile.profile_image_uploaded_at)))


class People(NamedTuple):
    """What a page of posts shows about its people (:func:`people`)."""

    #: Open edX's ``author_label`` of each user who has one
    labels: dict[int, str]
    usernames: dict[int, str]
    #: the profile of the user asked for, when they have one
    profile: UserProfile | None = None


def people(course_id: str, user_ids: Iterable[int | None], *, profile_of: int | None = None) -> People:
    """The ``author_label`` of each of these users who has one: "Staff" for course staff, instructors and
    global staff, "Moderator" for forum administrators and moderators, "Community TA" for community TAs and
    group moderators; their usernames; and the profile of user ``profile_of`` (the requester's, whose image
    every comment shows). One query."""
    ids = {int(uid) for uid in user_ids if uid is not None}
    if profile_of is not None:
        ids.add(int(profile_of))
    if not ids:
        return People({}, {})
    rows = db.session().execute(_PEOPLE_ROWS, {"course_id": str(course_id), "org": org_of(course_id),
                                               "ids": sorted(ids), "profile_of": profile_of}).all()
    found = People({}, {})
    rank = {LABEL_STAFF: 3, LABEL_MODERATOR: 2, LABEL_COMMUNITY_TA: 1}
    for user_id, username, is_global_staff, role, profile in rows:
        found.usernames[user_id] = username
        if profile is not None:
            found = found._replace(profile=profile)
        label = (LABEL_STAFF if is_global_staff or role in (STAFF, INSTRUCTOR)
                 else LABEL_MODERATOR if role in (DISCUSSION_ADMIN, DISCUSSION_MODERATOR)
                 else LABEL_COMMUNITY_TA if role in (COMMUNITY_TA, GROUP_MODERATOR) else None)
        if label and rank[label] > rank.get(found.labels.get(user_id, ""), 0):
            found.labels[user_id] = label
    return found


def restriction_in_force(now: Any) -> Any:
    """SQL condition: a restriction not lifted and not expired at ``now`` (a datetime or a bound parameter)."""
    return sa.and_(Restriction.lifted_at.is_(None),
                   sa.or_(Restriction.expires_at.is_(None), Restriction.expires_at > now))


def restriction_covers(course_id: str) -> Any:
    """SQL condition: a restriction that applies in the course: one of the course, or a ban of its
    organization without an exception for it (Open edX's ``get_user_ban_scope``)."""
    return _covers(str(course_id), org_of(course_id))


def _covers(course_id: Any, org: Any) -> Any:
    exception = sa.exists().where(RestrictionException.restriction_id == Restriction.id,
                                  RestrictionException.course_id == course_id)
    return sa.or_(sa.and_(Restriction.scope == COURSE_SCOPE, Restriction.course_id == course_id),
                  sa.and_(Restriction.scope == ORG_SCOPE, Restriction.org == org, ~exception))


#: the restrictions of ``:user_id`` in force at ``:now`` in ``:course_id`` (of organization ``:org``), built once
_RESTRICTIONS_OF_USER = sa.select(Restriction).where(
    Restriction.user_id == sa.bindparam("user_id"), _covers(sa.bindparam("course_id"), sa.bindparam("org")),
    restriction_in_force(sa.bindparam("now")))


def active_restriction(course_id: str, user_id: int, *, now: datetime | None = None) -> Restriction | None:
    """The ban or mute that applies to the user in the course now (a ban before a mute, an organization
    ban before a course one), or ``None``."""
    rows = db.session().scalars(_RESTRICTIONS_OF_USER, {
        "user_id": int(user_id), "course_id": str(course_id), "org": org_of(course_id),
        "now": now or utcnow()}).all()
    for kind in (BAN, MUTE):
        for scope in (ORG_SCOPE, COURSE_SCOPE):
            for row in rows:
                if row.kind == kind and row.scope == scope:
                    return row
    return None


RESTRICTION_MESSAGES = {
    BAN: _l("You have been banned from this course's discussions."),
    MUTE: _l("You have been muted in this course's discussions: you cannot post for now."),
}
