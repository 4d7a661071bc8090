"""What the `learner_admin` area adds to the app; :mod:`kampus_instructor.plugin` gathers every area's lists."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from kampus_hookspecs import Setting

from kampus.identity.roles import INSTRUCTOR, STAFF
from kampus_instructor.learner_admin import rest, views
from kampus_instructor.learner_admin.api import ACT, ACT_ALL
from kampus_instructor.learner_admin.service import rescore_problem_for_all, reset_attempts_for_all
from kampus_instructor.sections import Section


def blueprints() -> list[Any]:
    return [views.bp, rest.bp]


def permissions() -> dict[str, list[str]]:
    return {ACT: [STAFF, INSTRUCTOR], ACT_ALL: [INSTRUCTOR]}


def settings() -> list[Setting]:
    return []


def tasks() -> list[Any]:
    return [rescore_problem_for_all, reset_attempts_for_all]


def sections() -> list[Section]:
    """This area's sections of the dashboard (see :mod:`kampus_instructor.sections`)."""
    return [Section("learner_admin", _l("Learner admin"), "instructor_learner_admin.page", order=30)]
