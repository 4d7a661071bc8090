"""Background work of the course home area: the goal reminders' hourly run (registered through
``kampus_celery_tasks``, scheduled through ``kampus_periodic_tasks``)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import has_app_context
from kampus_hookspecs import PeriodicTask

from kampus.current import current_kampus
from kampus.tasks.api import TaskContext, task_name
from kampus_lms.course_home.goal_reminders import DEFAULT_CRONTAB, REMINDER_TASK, send_goal_reminders


@task_name(REMINDER_TASK)
def goal_reminders(task: TaskContext, now: str | None = None) -> dict[str, int]:
    """Send the goal reminders due now (or at ``now``, ISO 8601; naive means UTC)."""
    when = None
    if now:
        when = datetime.fromisoformat(now.replace("Z", "+00:00"))
        when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return send_goal_reminders(when)


TASKS = [goal_reminders]


def periodic_tasks() -> list[PeriodicTask]:
    """The goal reminders' run (``lms_goal_reminder_crontab``, UTC; hourly by default)."""
    crontab = current_kampus().settings.lms_goal_reminder_crontab if has_app_context() else DEFAULT_CRONTAB
    return [PeriodicTask("lms.goal_reminders", REMINDER_TASK, crontab=crontab)]
