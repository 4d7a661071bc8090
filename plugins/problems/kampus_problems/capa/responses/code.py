"""External graders through a queue (coderesponse): build the submission and mark the input queued.

Delivering to the queue is the job of the ``xqueue`` object given to the problem
(:class:`kampus_problems.xqueue.ProblemQueue`, which hands it to a queue of the ``kampus_external_queues``
hook); without one the input gets upstream's "no grader" message and is not graded. The grader's reply
comes back through :meth:`CodeResponse.update_score` (its message sanitised, its points clamped).
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import UTC, datetime
from typing import Any

import nh3

from kampus_problems.capa.correctmap import CorrectMap
from kampus_problems.capa.errors import LoncapaProblemError
from kampus_problems.capa.responses.base import LoncapaResponse

DATEFORMAT = "%Y%m%d%H%M%S"


def make_hashkey(seed: str) -> str:
    return hashlib.md5((seed + str(time.time())).encode(), usedforsecurity=False).hexdigest()


class CodeResponse(LoncapaResponse):
    """``<coderesponse queuename="..."><codeparam><grader_payload>..</grader_payload></codeparam>``."""

    tag = "coderesponse"
    human_name = "Code Input"
    allowed_inputfields = ("textbox", "filesubmission", "matlabinput")
    max_inputfields = 1

    def setup_response(self) -> None:
        xqueue = self.problem.xqueue
        self.url = self.xml.get("url")
        self.queue_name = self.xml.get("queuename", getattr(xqueue, "default_queuename", None))
        codeparam = self.xml.find("codeparam")
        if codeparam is None:
            raise LoncapaProblemError("Unsupported old format! <coderesponse> without <codeparam>")
        self.payload = {"grader_payload": codeparam.findtext("grader_payload") or ""}
        self.initial_display = codeparam.findtext("initial_display") or ""
        self.answer = codeparam.findtext("answer_display")
        if self.answer is None:
            self.answer = "No answer provided."

    def build_submission(self, submission: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        """The (header, body) of the queue request, as upstream's xqueue_interface builds them."""
        qtime = datetime.now(UTC).strftime(DATEFORMAT)
        student_id = self.problem.anonymous_student_id
        queuekey = make_hashkey(f"{self.problem.seed}{qtime}{student_id}{self.answer_id}")
        callback = getattr(self.problem.xqueue, "construct_callback", None)
        header = {"lms_callback_url": callback() if callable(callback) else "", "lms_key": queuekey,
                  "queue_name": self.queue_name}
        body = dict(self.payload)
        body["student_info"] = json.dumps({"anonymous_student_id": student_id, "submission_time": qtime,
                                           "random_seed": self.context["seed"]})
        body["student_response"] = submission if isinstance(submission, str) else ""
        return header, {"body": body, "queuestate": {"key": queuekey, "time": qtime}}

    def get_score(self, student_answers: dict[str, Any]) -> CorrectMap:
        submission = student_answers.get(self.answer_id, "")
        cmap = CorrectMap()
        xqueue = self.problem.xqueue
        if xqueue is None:
            cmap.set(self.answer_id, queuestate=None, msg="Error: No grader has been set up for this problem.")
            return cmap
        header, built = self.build_submission(submission)
        send = getattr(xqueue, "send_to_queue", None) or getattr(getattr(xqueue, "interface", None),
                                                                  "send_to_queue", None)
        if send is None:
            error, msg = False, ""
        else:
            files = submission if isinstance(submission, list) else None
            error, msg = send(header=json.dumps(header), body=json.dumps(built["body"]), files_to_upload=files)
        if error:
            cmap.set(self.answer_id, queuestate=None,
                     msg=f"Unable to deliver your submission to grader (Reason: {msg}). Please try again later.")
        else:
            cmap.set(self.answer_id, queuestate=built["queuestate"], correctness="incomplete", msg=msg)
        return cmap

    def update_score(self, score_msg: str, oldcmap: CorrectMap, queuekey: str) -> CorrectMap:
        """Apply a grader reply ``{"correct": bool, "score": n, "msg": html}`` when the key matches."""
        try:
            result = json.loads(score_msg)
            correct, points, msg = result["correct"], result["score"], result["msg"]
        except (TypeError, ValueError, KeyError):
            oldcmap.set(self.answer_id, msg="Invalid grader reply. Please contact the course staff.")
            return oldcmap
        if oldcmap.is_right_queuekey(self.answer_id, queuekey):
            try:
                npoints = min(max(float(points), 0.0), float(self.maxpoints.get(self.answer_id, 1)))
            except (TypeError, ValueError):
                npoints = 0.0
            # The grader's HTML is shown in the learner's page: only harmless markup is kept.
            clean = nh3.clean(str(msg).replace("&nbsp;", "&#160;"))
            oldcmap.set(self.answer_id, npoints=npoints, correctness="correct" if correct else "incorrect",
                        msg=clean, queuestate=None)
        return oldcmap

    def get_answers(self) -> dict[str, Any]:
        return {self.answer_id: f'<span class="code-answer"><pre><code>{self.answer}</code></pre></span>'}

    def get_initial_display(self) -> dict[str, Any]:
        return {self.answer_id: self.initial_display}
