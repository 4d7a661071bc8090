"""What the `tasks` area adds to the app; :mod:`kampus_instructor.plugin` gathers every area's lists."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from kampus_hookspecs import Setting

from kampus.identity.roles import INSTRUCTOR, STAFF
from kampus_instructor.sections import Section
from kampus_instructor.tasks.views import bp


def blueprints() -> list[Any]:

    return [bp]


def permissions() -> dict[str, list[str]]:
    """Cancelling a course's tasks: course staff and instructors (and whoever started the task)."""
    return {"instructor.tasks.cancel": [STAFF, INSTRUCTOR]}


def settings() -> list[Setting]:
    return []


def tasks() -> list[Any]:
    return []


def sections() -> list[Section]:
    """This area's sections of the dashboard (see :mod:`kampus_instructor.sections`)."""
    return [Section("tasks", _l("Background Tasks"), "instructor_tasks.page", order=90)]
