"""The public API of the problems plugin: what other plugins (the XQueue plugin, Studio) import.

* :func:`markdown_to_xml` (:class:`MarkdownError`): the simple editor's Markdown to CAPA XML;
  :func:`problem_xml_errors` (:class:`ProblemXmlError`): what is wrong with a problem's XML, with lines.

* :func:`apply_queue_reply`: deliver an external grader's reply (``{"correct", "score", "msg"}``) to the
  learner's problem that queued it: the problem's state and score are updated through the content runtime,
  so ``kampus_score_changed`` fires (and the LMS regrades) once the caller commits.
* :class:`ProblemQueue`, :func:`default_queue_name`: how a problem reaches the queues of the
  ``kampus_external_queues`` hook, or an external Open edX XQueue server (:class:`ExternalXQueue`,
  :func:`external_xqueue`, the ``xqueue_url`` setting); see :mod:`kampus_problems.xqueue`.
* :func:`rescore_problem`, :func:`override_problem_score`: course staff's rescoring of a learner's stored
  answers and score override, written through the scores path (:mod:`kampus_problems.rescoring`).
* :func:`is_randomized`: whether a problem's ``rerandomize`` setting gives it variants (the seed of a
  learner's state is then the variant of their answers, as reports show it).
"""

from __future__ import annotations

from kampus_problems.markdown import MarkdownError, markdown_to_xml
from kampus_problems.policies import is_randomized
from kampus_problems.rescoring import RescoreError, RescoreResult, override_problem_score, rescore_problem
from kampus_problems.validation import ProblemXmlError, problem_xml_errors
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

__all__ = ["MarkdownError", "ProblemXmlError", "markdown_to_xml", "problem_xml_errors"]
__all__ += ["SCORE_UPDATE", "AppliedReply", "ExternalXQueue", "ProblemQueue", "QueueReplyError", "apply_queue_reply",
           "default_queue_name", "external_xqueue"]
__all__ += ["RescoreError", "RescoreResult", "override_problem_score", "rescore_problem"]
__all__ += ["is_randomized"]
