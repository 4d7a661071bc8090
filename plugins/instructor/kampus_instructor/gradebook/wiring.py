"""What the `gradebook` area adds to the app; :mod:`kampus_instructor.plugin` gathers every area's lists."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from kampus_hookspecs import Setting

from kampus_instructor.gradebook import rest, views
from kampus_instructor.sections import Section


def blueprints() -> list[Any]:
    return [views.bp, rest.bp]


def permissions() -> dict[str, list[str]]:
    """None of its own: overriding grades is the LMS's ``grades.override`` permission."""
    return {}


def settings() -> list[Setting]:
    return []


def tasks() -> list[Any]:
    return []


def sections() -> list[Section]:
    """This area's sections of the dashboard (see :mod:`kampus_instructor.sections`)."""
    return [Section("gradebook", _l("Gradebook"), "instructor_gradebook.page", order=35)]
