"""The course roles: the one list every part of Kampus reads.

A course role is held in one course (or in every course of an organisation),
as in Open edX's ``CourseAccessRole``: ``instructor`` (Open edX's course
admin), ``staff`` (course staff), ``ta`` (teaching assistant), ``beta_tester``
(sees content before its release date) and ``learner``; and the discussion roles
of Open edX's forums (``django_comment_common``'s "Administrator", "Moderator",
"Group Moderator", "Community TA"): ``discussion_admin``, ``discussion_moderator``,
``group_moderator`` (a moderator of their own cohort's threads only) and ``community_ta``,
which the forums plugin reads. Permissions name the
roles that hold them (``kampus_permissions``); global staff is a flag on the
account, not a course role.
"""

from __future__ import annotations

INSTRUCTOR = "instructor"
STAFF = "staff"
TA = "ta"
BETA_TESTER = "beta_tester"
LEARNER = "learner"
DISCUSSION_ADMIN = "discussion_admin"
DISCUSSION_MODERATOR = "discussion_moderator"
GROUP_MODERATOR = "group_moderator"
COMMUNITY_TA = "community_ta"

#: The discussion (forum) roles, from the most to the least privileged.
DISCUSSION_ROLES: tuple[str, ...] = (DISCUSSION_ADMIN, DISCUSSION_MODERATOR, GROUP_MODERATOR, COMMUNITY_TA)

#: Every course role, from the most to the least privileged.
COURSE_ROLES: tuple[str, ...] = (INSTRUCTOR, STAFF, TA, BETA_TESTER, LEARNER, *DISCUSSION_ROLES)

#: In a permission declaration: any logged-in user.
ANY_USER = "*"
