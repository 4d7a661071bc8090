"""The notifications' background tasks (registered through ``kampus_celery_tasks``)."""

from __future__ import annotations

from typing import Any

from kampus.tasks.api import TaskContext, task_name
from kampus_forums.notifications import digests


@task_name(digests.PLAN_TASK)
def plan_digests(task: TaskContext, cadence: str, now: str | None = None) -> dict[str, Any]:
    """The periodic run: submit the batches of the digests of ``cadence`` due now (or at ``now``)."""
    return digests.plan(cadence, digests.parse_time(now))


@task_name(digests.BATCH_TASK)
def send_digest_batch(task: TaskContext, cadence: str, period_start: str, period_end: str,
                      user_ids: list[int]) -> dict[str, int]:
    """Send the digests of a batch of users for one period (each at most once; safe to run again)."""
    task.progress(0, len(user_ids), "Sending digests")
    counts = digests.send_batch(cadence, period_start, period_end, user_ids)
    task.progress(len(user_ids), len(user_ids), "Sent")
    return counts


@task_name(digests.IMMEDIATE_TASK)
def send_immediate(task: TaskContext, notification_ids: list[int]) -> dict[str, int]:
    """Mail notifications whose recipients want them at once (each at most once)."""
    return digests.send_immediate(notification_ids)


TASKS = (plan_digests, send_digest_batch, send_immediate)
