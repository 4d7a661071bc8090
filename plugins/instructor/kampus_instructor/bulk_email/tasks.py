"""The bulk e-mail area's background tasks and the workers' periodic check of scheduled messages."""

from __future__ import annotations

import logging
import threading
from typing import Any

from celery.signals import worker_ready, worker_shutdown
from flask import Flask

from kampus.tasks.api import TaskContext, task_name
from kampus_instructor.bulk_email import service

log = logging.getLogger(__name__)
_SCHEDULER_KEY = "kampus_instructor.bulk_email.scheduler"


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


class ScheduleChecker:
    """In a worker process of ``app``, runs :func:`service.dispatch_due` every
    ``instructor_bulk_email_schedule_check_seconds`` (a daemon thread started when the worker is ready)."""

    def __init__(self, app: Flask):
        self.app = app
        self.stop = threading.Event()
        worker_ready.connect(self.on_worker_ready)  # weak: lives as long as the app keeps this object
        worker_shutdown.connect(self.on_worker_shutdown)

    def _mine(self, sender: Any) -> bool:
        kampus = self.app.extensions.get("kampus")
        celery = getattr(kampus, "celery", None)
        return celery is not None and getattr(sender, "app", None) is celery

    def on_worker_ready(self, sender: Any = None, **_kwargs: Any) -> None:
        if not self._mine(sender):
            return
        every = float(self.app.extensions["kampus"].settings.instructor_bulk_email_schedule_check_seconds)
        if every <= 0:
            return
        threading.Thread(target=self._loop, args=(every,), name="kampus-bulk-email-schedule", daemon=True).start()

    def on_worker_shutdown(self, sender: Any = None, **_kwargs: Any) -> None:
        self.stop.set()

    def _loop(self, every: float) -> None:
        while not self.stop.wait(every):
            try:
                with self.app.app_context():
                    service.dispatch_due()
            except Exception:
                log.exception("checking scheduled bulk e-mail failed")


def install_schedule_checker(app: Flask) -> None:
    """Give ``app`` its checker of scheduled messages (once)."""
    if _SCHEDULER_KEY not in app.extensions:
        app.extensions[_SCHEDULER_KEY] = ScheduleChecker(app)
