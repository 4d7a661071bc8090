"""What the `course_info` area adds to the app; :mod:`kampus_instructor.plugin` gathers every area's lists."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from kampus_hookspecs import Setting

from kampus_instructor.course_info import views
from kampus_instructor.sections import Section


def blueprints() -> list[Any]:
    return [views.bp]


def permissions() -> dict[str, list[str]]:
    return {}


def settings() -> list[Setting]:
    return []


def tasks() -> list[Any]:
    return []


def sections() -> list[Section]:
    """This area's sections of the dashboard (see :mod:`kampus_instructor.sections`): the first one."""
    return [Section("course_info", _l("Course info"), "instructor_course_info.course_info_page", 10)]
