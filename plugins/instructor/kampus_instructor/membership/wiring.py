"""What the `membership` area adds to the app; :mod:`kampus_instructor.plugin` gathers every area's lists."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from kampus_hookspecs import Setting

from kampus.identity.roles import INSTRUCTOR, STAFF
from kampus_instructor.membership import cohorts, views
from kampus_instructor.membership.service import MANAGE_ENROLLMENT, MANAGE_TEAM
from kampus_instructor.sections import Section


def blueprints() -> list[Any]:
    return [views.bp, cohorts.bp]


def permissions() -> dict[str, list[str]]:
    """Open edX's split: the course team (and discussion admins) is the instructors' ("Admin") to change;
    enrollment, beta testers, discussion moderators and cohorts are course staff's too."""
    return {MANAGE_TEAM: [INSTRUCTOR], MANAGE_ENROLLMENT: [STAFF, INSTRUCTOR]}


def settings() -> list[Setting]:
    return []


def tasks() -> list[Any]:
    return []


def sections() -> list[Section]:
    """This area's sections of the dashboard (see :mod:`kampus_instructor.sections`)."""
    return [Section("membership", _l("Membership"), "instructor_membership.membership_page", 20),
            Section("cohorts", _l("Cohorts"), "instructor_membership_cohorts.cohorts_page", 30)]
