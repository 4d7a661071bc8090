"""The public API of the problems plugin: what other plugins (the XQueue plugin) import.

* :func:`apply_queue_reply`: deliver an external grader's reply (``{"correct", "score", "msg"}``) to the
  learner's problem that queued it: the problem's state and score are updated through the content runtime,
  so ``kampus_score_changed`` fires (and the LMS regrades) once the caller commits.
* :class:`ProblemQueue`, :func:`default_queue_name`: how a problem reaches the queues of the
  ``kampus_external_queues`` hook, or an external Open edX XQueue server (:class:`ExternalXQueue`,
  :func:`external_xqueue`, the ``xqueue_url`` setting); see :mod:`kampus_problems.xqueue`.
"""

from __future__ import annotations

from kampus_problems.xqueue import (
    SCORE_UPDATE,
    AppliedReply,
    ExternalXQueue,
    ProblemQueue,
    QueueReplyError,
    apply_queue_reply,
    default_queue_name,
    external_xqueue,
)

__all__ = ["SCORE_UPDATE", "AppliedReply", "ExternalXQueue", "ProblemQueue", "QueueReplyError", "apply_queue_reply",
           "default_queue_name", "external_xqueue"]
