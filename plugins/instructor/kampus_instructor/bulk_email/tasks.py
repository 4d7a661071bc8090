"""The bulk e-mail area's background tasks: sending a message, and the periodic check of scheduled messages
(declared in :func:`kampus_instructor.bulk_email.wiring.periodic_tasks`)."""

from __future__ import annotations

from typing import Any

from kampus.tasks.api import TaskContext, task_name
from kampus_instructor.bulk_email import service


@task_name(service.SEND_TASK)
def send_bulk_email(task: TaskContext, message_id: int) -> dict[str, Any]:
    """Send message ``message_id`` to its recipients, in batches, each recipient at most once."""
    try:
        return service.deliver_message(task, int(message_id))
    except Exception as exc:  # recorded on the message too, so its history shows it (the task's record has it)
        service.mark_failed(int(message_id), f"{type(exc).__name__}: {exc}")
        raise


@task_name(service.DISPATCH_TASK)
def dispatch_due_emails(task: TaskContext) -> dict[str, Any]:
    """Queue the scheduled messages whose time has come."""
    return {"queued": service.dispatch_due()}


TASKS = (send_bulk_email, dispatch_due_emails)
