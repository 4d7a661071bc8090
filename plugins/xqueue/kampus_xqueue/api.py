"""The public API of the XQueue plugin.

* :class:`XQueueService`: what the plugin answers to ``kampus_external_queues`` (``{"*": XQueueService()}``):
  one object that queues a submission to any queue configured on the site (``send_to_queue``), answering
  Open edX's ``(error, message)``: ``(0, "<position>")``, or ``(1, "Queue 'q' not found")``.
* queue management for operators and other plugins: :func:`save_queue`, :func:`add_grader`,
  :func:`queue_length`, :func:`sweep`; :data:`FAILURE_REPLY` (Open edX's "could not be graded" reply).
"""

from __future__ import annotations

from typing import Any

from kampus import db
from kampus_xqueue.service import (
    FAILURE_MSG,
    FAILURE_REPLY,
    QueueError,
    add_grader,
    position_for,
    queue_length,
    save_queue,
    sweep,
)
from kampus_xqueue.service import submit as submit_to_queue


class XQueueService:
    """Queues of this site's XQueue, for the problems plugin (see ``kampus_external_queues``)."""

    def send_to_queue(self, *, header: str, body: str, files: dict[str, bytes] | None = None,
                      user_id: int | None = None, course_id: str = "", usage_id: str = "") -> tuple[int, str]:
        """Queue a submission in the current request's transaction (committed with the problem's state)."""
        return submit_to_queue(db.session(), header=header, body=body, files=files, user_id=user_id,
                               course_id=course_id, usage_id=usage_id)

    def position(self, *, user_id: int | None, usage_id: str, queuekey: str) -> int | None:
        """The place in its queue of the learner's live submission queued under ``queuekey`` (1: next), or
        ``None`` when it is no longer waiting (taken by a grader, answered, or superseded)."""
        return position_for(db.session(), user_id=user_id, usage_id=usage_id, lms_key=queuekey)

    def __repr__(self) -> str:
        return "XQueueService()"


def external_queues() -> dict[str, Any]:
    """The answer to ``kampus_external_queues``."""
    return {"*": XQueueService()}


__all__ = ["FAILURE_MSG", "FAILURE_REPLY", "QueueError", "XQueueService", "add_grader", "external_queues",
           "queue_length", "save_queue", "sweep"]
