"""What the `certificates` area adds to the app; :mod:`kampus_instructor.plugin` gathers every area's lists."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from kampus_hookspecs import Setting

from kampus.identity.roles import INSTRUCTOR, STAFF
from kampus_instructor.certificates import views
from kampus_instructor.sections import Section


def blueprints() -> list[Any]:
    return [views.bp]


def permissions() -> dict[str, list[str]]:
    """Course staff and instructors generate, allowlist and invalidate (TAs only look)."""
    return {views.MANAGE: [STAFF, INSTRUCTOR]}


def settings() -> list[Setting]:
    return []


def tasks() -> list[Any]:
    """None of its own: generation is the LMS's ``lms.certificates.update_course``."""
    return []


def sections() -> list[Section]:
    """This area's sections of the dashboard (see :mod:`kampus_instructor.sections`)."""
    return [Section("certificates", _l("Certificates"), "instructor_certificates.certificates_page", 80)]
