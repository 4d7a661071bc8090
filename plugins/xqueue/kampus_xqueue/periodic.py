"""The workers' sweep of the queues: a periodic task (``xqueue.sweep``, every ``xqueue_sweep_seconds``).

The sweep (:func:`kampus_xqueue.service.sweep`) also runs on the wire calls, the staff page and
``kampus xqueue sweep``; this entry makes it run without any of them, so that a submission whose grader
never answers ends, after its queue's timeout (and ``max_failures`` hand-outs), in Open edX's "could not
be graded" reply even when no grader and no staff member calls in. Runs of several workers, or of a
worker and a wire call, do not conflict: every step of the sweep is a guarded update.
"""

from __future__ import annotations

from typing import Any

from kampus_hookspecs import PeriodicTask, Setting

from kampus.current import current_kampus
from kampus.tasks.api import TaskContext, task_name
from kampus_xqueue import service

SWEEP_TASK = "xqueue.sweep"


def settings() -> list[Setting]:
    return [Setting("xqueue_sweep_seconds", float, 15.0,
                    "How often a worker requeues or retires XQueue submissions past their queue's timeout and "
                    "delivers replies left undelivered (0: never; the wire calls and the staff page sweep too).")]


@task_name(SWEEP_TASK)
def sweep_queues(task: TaskContext) -> dict[str, Any]:
    """Requeue or retire submissions past their timeout; deliver replies left undelivered (counts)."""
    with current_kampus().db.session_scope() as db_session:
        return service.sweep(db_session)


def periodic_tasks() -> list[PeriodicTask]:
    """The sweep every ``xqueue_sweep_seconds`` (none when 0)."""
    every = float(current_kampus().settings.xqueue_sweep_seconds)
    if every <= 0:
        return []
    return [PeriodicTask(SWEEP_TASK, SWEEP_TASK, every_seconds=every)]


TASKS = [sweep_queues]
