"""The problem's way to external grading queues (``coderesponse``): the ``kampus_external_queues`` hook's caller.

A problem gets a :class:`ProblemQueue` (upstream's ``xqueue`` object of the capa system: ``default_queuename``,
``construct_callback()``, ``send_to_queue(header, body, files_to_upload)``). When a learner's answer is
checked, it asks the enabled plugins for their queues (``kampus_external_queues``: ``{name: queue}``, the name
``"*"`` for a queue object that serves any name) and hands the submission to the queue the header names;
the queue writes it in the check's own transaction.
"""

from __future__ import annotations

import json
from typing import Any

from kampus.current import current_kampus
from kampus.urls import absolute_url

#: The dispatch of the LMS callback for ``coderesponse`` (Open edX's ``score_update``).
SCORE_UPDATE = "score_update"


def external_queues() -> dict[str, Any]:
    """Every enabled plugin's answer to ``kampus_external_queues``, merged (the first answer of a name wins)."""
    queues: dict[str, Any] = {}
    for answer in current_kampus().hook.kampus_external_queues():
        for name, queue in (answer or {}).items():
            queues.setdefault(name, queue)
    return queues


def default_queue_name(course_key: Any) -> str:
    """Open edX's queue of a problem that names none: ``<org>-<course>``."""
    return f"{course_key.org}-{course_key.course}"


class ProblemQueue:
    """The queue access of one learner's problem (upstream's ``XQueueService``)."""

    def __init__(self, *, user_id: int | None, course_id: str, usage_id: str, default_queuename: str,
                 files: dict[str, bytes] | None = None):
        self.user_id = user_id
        self.course_id = course_id
        self.usage_id = usage_id
        self.default_queuename = default_queuename
        #: The files the learner uploaded with this check, by name.
        self.files = files or {}

    def construct_callback(self, dispatch: str = SCORE_UPDATE) -> str:
        """Open edX's LMS callback URL of this learner's problem (``xqueue_callback``)."""
        return absolute_url(f"/courses/{self.course_id}/xqueue/{self.user_id}/{self.usage_id}/{dispatch}")

    def send_to_queue(self, header: str, body: str, files_to_upload: Any = None) -> tuple[int, str]:
        """Queue a submission; Open edX's ``(error, message)``: ``(0, "<position>")`` when queued."""
        try:
            queue_name = str(json.loads(header)["queue_name"])
        except (TypeError, ValueError, KeyError):
            return 1, "Queue request has invalid format"
        queues = external_queues()
        queue = queues.get(queue_name) or queues.get("*")
        if queue is None:
            return 1, "No external grading queue is installed on this site."
        files: dict[str, bytes] = {}
        for name in files_to_upload or []:
            if isinstance(name, str) and name in self.files:
                files[name] = self.files[name]
        return queue.send_to_queue(header=header, body=body, files=files, user_id=self.user_id,
                                   course_id=self.course_id, usage_id=self.usage_id)


__all__ = ["SCORE_UPDATE", "ProblemQueue", "default_queue_name", "external_queues"]
