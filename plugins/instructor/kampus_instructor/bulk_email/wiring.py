"""What the `bulk_email` area adds to the app; :mod:`kampus_instructor.plugin` gathers every area's lists."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from kampus_hookspecs import PeriodicTask, Setting

from kampus.current import current_kampus
from kampus.identity.roles import INSTRUCTOR, STAFF
from kampus_instructor.bulk_email import service
from kampus_instructor.bulk_email.tasks import TASKS
from kampus_instructor.bulk_email.views import bp, public_bp
from kampus_instructor.sections import Section


def blueprints() -> list[Any]:

    return [bp, public_bp]


def permissions() -> dict[str, list[str]]:
    """Sending course e-mail: course staff and instructors (Open edX's ``EMAIL`` permission)."""
    return {"instructor.bulk_email": [STAFF, INSTRUCTOR]}


def settings() -> list[Setting]:
    return [
        Setting("instructor_bulk_email_enabled", bool, True,
                "Course teams may send e-mail from the instructor dashboard (Open edX's BulkEmailFlag). Global "
                "staff can still turn it off or on per course in its Email section."),
        Setting("instructor_bulk_email_require_course_authorization", bool, False,
                "Only courses whose e-mail global staff turned on may send it (Open edX's "
                "require_course_email_auth); the others need their Email section's switch."),
        Setting("instructor_bulk_email_batch_size", int, 100,
                "Recipients a bulk e-mail task claims at a time (one commit per batch, one per message sent)."),
        Setting("instructor_bulk_email_retries", int, 3,
                "How many times a bulk e-mail message is sent again after a transient mailer failure."),
        Setting("instructor_bulk_email_retry_seconds", float, 1.0,
                "Wait before the first retry of a bulk e-mail message (doubled each time)."),
        Setting("instructor_bulk_email_schedule_check_seconds", float, 30.0,
                "How often a worker looks for scheduled bulk e-mail whose time has come (0: never)."),
    ]


def periodic_tasks() -> list[PeriodicTask]:
    """The workers' check of scheduled messages, every ``instructor_bulk_email_schedule_check_seconds``
    (none when it is 0; a page of the Email section checks too)."""
    every = float(current_kampus().settings.instructor_bulk_email_schedule_check_seconds)
    if every <= 0:
        return []
    return [PeriodicTask("instructor.bulk_email.schedule_check", service.DISPATCH_TASK, every_seconds=every)]


def tasks() -> list[Any]:

    return list(TASKS)


def sections() -> list[Section]:
    """This area's sections of the dashboard (see :mod:`kampus_instructor.sections`)."""
    return [Section("bulk_email", _l("Email"), "instructor_bulk_email.page", order=60,
                    permission="instructor.bulk_email", available=service.email_enabled)]
