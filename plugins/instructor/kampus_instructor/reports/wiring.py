"""What the `reports` area adds to the app; :mod:`kampus_instructor.plugin` gathers every area's lists."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from kampus_hookspecs import Setting

from kampus.identity.roles import INSTRUCTOR, STAFF
from kampus_instructor.reports.tasks import TASKS
from kampus_instructor.reports.views import bp
from kampus_instructor.sections import Section


def blueprints() -> list[Any]:

    return [bp]


def permissions() -> dict[str, list[str]]:
    """Reports (start, list, download): course staff and instructors, as Open edX's ``CAN_RESEARCH``."""
    return {"instructor.reports": [STAFF, INSTRUCTOR]}


def settings() -> list[Setting]:
    return [Setting("instructor_report_batch_size", int, 500,
                    "Learners read per batch by the instructor dashboard's reports (memory and queries per batch "
                    "stay the same however large the course).")]


def tasks() -> list[Any]:

    return list(TASKS)


def sections() -> list[Section]:
    """This area's sections of the dashboard (see :mod:`kampus_instructor.sections`)."""
    return [Section("reports", _l("Data Download"), "instructor_reports.page", order=50,
                    permission="instructor.reports")]
