"""External graders through a queue (coderesponse): build the submission and mark the input queued.

Delivering to the queue is the job of the ``xqueue`` object given to the problem
(:class:`kampus_problems.xqueue.ProblemQueue`, which hands it to a queue of the ``kampus_external_queues``
hook); without one the input gets upstream's "no grader" message and is not graded. The grader's reply
comes back through :meth:`CodeResponse.update_score` (its message sanitised, its points clamped).
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from typing import Any

import nh3

from kampus_problems.capa.correctmap import CorrectMap
from kampus_problems.capa.errors import LoncapaProblemError
from kampus_problems.capa.responses.base import LoncapaResponse

DATEFORMAT = "%Y%m%d%H%M%S"


def make_hashkey(seed: str) -> str:
    """The submission's ``lms_key`` (upstream: an MD5 of ``seed`` and the time, 32 hex digits). Random here:
    the key is the only credential of the LMS callback, so it must not be guessable; the format is upstream's."""
    return secrets.token_hex(16)


#: What a grader's message may keep: xqueue-watcher's markup (``div``/``dl``/``dt``/``dd``/``pre``/``span``/``p``
#: with their ``class``; ``code``, lists, tables, emphasis); everything else (scripts, styles, event handlers,
#: links' ``javascript:``) is removed.
GRADER_TAGS = {"div", "dl", "dt", "dd", "pre", "span", "p", "code", "ul", "ol", "li", "br", "hr", "b", "i",
               "em", "strong", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "small",
               "sub", "sup", "tt", "kbd", "samp", "var", "blockquote", "a", "img"}
GRADER_ATTRIBUTES = {
    **{tag: {"class"} for tag in GRADER_TAGS},
    "a": {"class", "href", "title"},
    "img": {"class", "src", "alt", "title", "width", "height"},
    "td": {"class", "colspan", "rowspan"},
    "th": {"class", "colspan", "rowspan", "scope"},
}


def clean_grader_message(msg: object) -> str:
    """A grader's HTML message as shown to the learner: only harmless markup, classes kept."""
    return nh3.clean(str(msg).replace("&nbsp;", "&#160;"), tags=GRADER_TAGS, attributes=GRADER_ATTRIBUTES,
                     url_schemes={"http", "https"}, link_rel="noopener noreferrer nofollow")


def apply_grader_reply(cmap: CorrectMap, answer_id: str, score_msg: str, queuekey: str, maxpoints: float) -> bool:
    """Apply a grader reply ``{"correct": bool, "score": n, "msg": html}`` to ``answer_id`` of ``cmap``
    (upstream's ``CodeResponse.update_score``): when the input waits for ``queuekey``, its points (clamped to
    ``[0, maxpoints]``), correctness and sanitised message replace the queued state. A reply that is not
    such JSON ends the wait with upstream's "Invalid grader reply" message and no points. Returns whether
    the input waited for ``queuekey``."""
    if not cmap.is_right_queuekey(answer_id, queuekey):
        return False
    try:
        result = json.loads(score_msg)
        correct, points, msg = result["correct"], result["score"], result["msg"]
    except (TypeError, ValueError, KeyError):
        cmap.set(answer_id, msg="Invalid grader reply. Please contact the course staff.")
        return True
    try:
        npoints = min(max(float(points), 0.0), float(maxpoints))
    except (TypeError, ValueError):
        npoints = 0.0
    if npoints != npoints:  # NaN
        npoints = 0.0
    cmap.set(answer_id, npoints=npoints, correctness="correct" if correct else "incorrect",
             msg=clean_grader_message(msg), queuestate=None)
    return True


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
        # ``points``: the input's maximum, so that the reply can be applied without parsing the problem again
        queuestate = {"key": queuekey, "time": qtime, "points": float(self.maxpoints.get(self.answer_id, 1))}
        return header, {"body": body, "queuestate": queuestate}

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
        apply_grader_reply(oldcmap, self.answer_id, score_msg, queuekey,
                           float(self.maxpoints.get(self.answer_id, 1)))
        return oldcmap

    def get_answers(self) -> dict[str, Any]:
        return {self.answer_id: f'<span class="code-answer"><pre><code>{self.answer}</code></pre></span>'}

    def get_initial_display(self) -> dict[str, Any]:
        return {self.answer_id: self.initial_display}
