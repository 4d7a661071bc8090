"""The ``problem`` XBlock: an Open edX CAPA problem, graded by :mod:`kampus_problems.capa`.

Fields, handlers, JSON answers and tracking events follow Open edX's
``ProblemBlock`` (``xmodule/capa_block.py``): ``problem_check``,
``problem_save``, ``problem_reset``, ``problem_show``, ``hint_button`` and
``problem_get`` (also reachable as ``xmodule_handler/<name>``, upstream's
URL). The policies (show answer, show correctness, attempts, due date and
grace period, randomization) live in :mod:`kampus_problems.policies`.
"""

from __future__ import annotations

import copy
import gettext
import json
import logging
import traceback
from datetime import UTC, datetime
from typing import Any

from kampus_content.api import parse_date
from markupsafe import Markup
from web_fragments.fragment import Fragment
from webob import Response
from xblock.core import XBlock
from xblock.fields import Boolean, Date, Dict, Float, Integer, Scope, String

from kampus import current_kampus
from kampus.drivers.sandbox import SandboxError, get_sandbox
from kampus_problems import policies, response_types
from kampus_problems.capa.correctmap import CorrectMap
from kampus_problems.capa.errors import (
    EmptySubmission,
    LoncapaProblemError,
    MalformedSubmission,
    ResponseError,
    StudentInputError,
)
from kampus_problems.capa.problem import LoncapaProblem
from kampus_problems.capa.rendering import RenderOptions, render, text_content, text_of
from kampus_problems.capa.responses.code import apply_grader_reply
from kampus_problems.capa.submission import check_submission
from kampus_problems.policies import SHOWANSWER, Situation
from kampus_problems.templating import render as render_problem_template
from kampus_problems.xqueue import ProblemQueue, default_queue_name

log = logging.getLogger(__name__)

_ = lambda text: text  # noqa: E731  (strings marked for extraction; translated at display)


class Randomization(String):
    """Open edX's randomization field: "" and "true" mean always, "false" per_student."""

    def from_json(self, value: Any) -> Any:
        return policies.normalize_randomization(value) if value is not None else value

    to_json = from_json


class ProblemError(Exception):
    """A request the problem refuses (closed, must reset first): a message for the learner."""


def make_dict_of_responses(data: Any) -> dict[str, Any]:
    """Answers from form fields ``input_<id>`` (``[]``: a list, ``{}``: a JSON dict), as upstream."""
    answers: dict[str, Any] = {}
    if hasattr(data, "getall"):
        keys = list(dict.fromkeys(data.keys()))

        def values(key: str) -> list[Any]:
            return list(data.getall(key))
    else:
        keys = list(data.keys())

        def values(key: str) -> list[Any]:
            value = data[key]
            return list(value) if isinstance(value, list | tuple) else [value]
    for key in keys:
        prefix, _sep, name = key.partition("_")
        if not name:
            raise ValueError(f"{key} must contain at least one underscore")
        if prefix != "input":
            continue
        is_list = name.endswith("[]")
        is_dict = name.endswith("{}")
        if is_list or is_dict:
            name = name[:-2]
        found = values(key)
        if is_list:
            value: Any = [str(item) for item in found]
        elif is_dict:
            raw = found[-1] if found else ""
            if isinstance(raw, dict):
                value = raw
            else:
                try:
                    value = json.loads(raw)
                except (TypeError, ValueError) as err:
                    raise ValueError(f"Invalid submission: {raw} for {key}") from err
        else:
            value = found[-1] if found else ""
            if hasattr(value, "file"):  # an uploaded file (filesubmission): keep its name
                value = [getattr(value, "filename", "")]
        if name in answers:
            raise ValueError(f"Key {name} already exists in answers dict")
        answers[name] = value
    return answers


def uploaded_files(data: Any) -> dict[str, bytes]:
    """The files uploaded with a check (``filesubmission``), by file name."""
    files: dict[str, bytes] = {}
    items = data.items() if hasattr(data, "items") else []
    for _key, value in items:
        stream = getattr(value, "file", None)
        name = getattr(value, "filename", None)
        if stream is not None and name:
            files[str(name)] = stream.read()
            stream.seek(0)
    return files


def _now() -> datetime:
    return datetime.now(UTC)


def points_text(points: float) -> str:
    """Points as Open edX's problem header shows them: rounded to two decimals (``0.33``, ``2.5``, ``1``)."""
    rounded = round(float(points), 2)
    return f"{rounded:g}" if rounded != int(rounded) else str(int(rounded))


def _json(data: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(data, default=str), status=status, content_type="application/json",
                    charset="utf-8")


@XBlock.needs("user")
@XBlock.needs("i18n")
@XBlock.wants("replace_urls")
class ProblemBlock(XBlock):
    """A CAPA problem."""

    has_score = True
    icon_class = "problem"
    show_in_read_only_mode = True

    display_name = String(display_name=_("Display Name"), help=_("The display name for this component."),
                          scope=Scope.settings, default=_("Blank Problem"))
    data = String(help=_("XML data for the problem"), scope=Scope.content, default="<problem></problem>")
    markdown = String(help=_("Markdown source of this problem (simple editor)"), scope=Scope.settings, default=None)
    weight = Float(display_name=_("Problem Weight"), scope=Scope.settings, default=None,
                   help=_("Points this problem is worth; unset: one point per answer field."))
    max_attempts = Integer(display_name=_("Maximum Attempts"), scope=Scope.settings, default=None,
                           help=_("Times a learner may submit; unset: unlimited."))
    showanswer = String(display_name=_("Show Answer"), scope=Scope.settings, default=SHOWANSWER.FINISHED,
                        values=list(policies.SHOWANSWER_VALUES), help=_("When the answer may be shown."))
    attempts_before_showanswer_button = Integer(scope=Scope.settings, default=0,
                                                help=_("Attempts before Show Answer (showanswer after_attempts)."))
    show_correctness = String(display_name=_("Show Results"), scope=Scope.settings, default="always",
                              values=["always", "never", "past_due"],
                              help=_("When to show whether an answer is correct."))
    rerandomize = Randomization(display_name=_("Randomization"), scope=Scope.settings,
                                default=policies.RANDOMIZATION.NEVER,
                                values=["always", "onreset", "never", "per_student"],
                                help=_("When to randomize the variables of the problem's Python script."))
    due = Date(help=_("Date that this problem is due by"), scope=Scope.settings, default=None)
    graceperiod = String(help=_("Time after the due date during which submissions are accepted"),
                         scope=Scope.settings, default=None)
    submission_wait_seconds = Integer(display_name=_("Timer Between Attempts"), scope=Scope.settings, default=0,
                                      help=_("Seconds a learner must wait between submissions."))
    show_reset_button = Boolean(display_name=_("Show Reset Button"), scope=Scope.settings, default=False,
                                help=_("Whether a Reset button is shown."))
    force_save_button = Boolean(scope=Scope.settings, default=False, help=_("Always show the Save button."))
    self_paced = Boolean(scope=Scope.settings, default=False, help=_("Set on self-paced courses."))
    graded = Boolean(scope=Scope.settings, default=False)

    attempts = Integer(help=_("Number of attempts taken by the learner"), scope=Scope.user_state, default=0)
    seed = Integer(help=_("Random seed for this learner"), scope=Scope.user_state, default=None)
    student_answers = Dict(help=_("The learner's current answers"), scope=Scope.user_state)
    correct_map = Dict(help=_("Correctness of the current answers"), scope=Scope.user_state)
    done = Boolean(help=_("Whether the learner has answered the problem"), scope=Scope.user_state, default=False)
    input_state = Dict(help=_("State of the input types"), scope=Scope.user_state)
    has_saved_answers = Boolean(scope=Scope.user_state, default=False)
    last_submission_time = Date(help=_("Last submission time"), scope=Scope.user_state, default=None)
    score = Dict(help=_("The learner's raw score: raw_earned, raw_possible"), scope=Scope.user_state, default=None)

    # --- the LoncapaProblem ------------------------------------------------------------------

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._lcp: Any = None

    @property
    def html_id(self) -> str:
        usage = self.scope_ids.usage_id
        return usage.html_id() if hasattr(usage, "html_id") else str(usage)

    def _user_id(self) -> int | None:
        return getattr(getattr(self.runtime, "user", None), "id", None) or self.scope_ids.user_id

    @property
    def user_is_staff(self) -> bool:
        return bool(getattr(self.runtime, "user_is_staff", False))

    def get_seed(self) -> int:
        if self.seed is None:
            self.choose_new_seed()
        return self.seed  # type: ignore[return-value]

    def choose_new_seed(self) -> None:
        self.seed = policies.choose_seed(self.rerandomize, user_id=self._user_id(),
                                         problem_id=str(self.scope_ids.usage_id))

    def state_for_lcp(self) -> dict[str, Any]:
        return {
            "done": self.done,
            "correct_map": self.correct_map or {},
            "student_answers": self.student_answers or {},
            "has_saved_answers": self.has_saved_answers,
            "input_state": self.input_state or {},
            "seed": self.get_seed(),
        }

    def new_lcp(self, state: dict[str, Any] | None) -> Any:
        """The problem with the app's sandbox and response types, in ``state``."""
        return LoncapaProblem(
            self.data or "<problem></problem>", problem_id=self.html_id, seed=self.get_seed(), state=state,
            sandbox=get_sandbox(), anonymous_student_id=getattr(self.runtime, "anonymous_student_id", None) or "",
            response_classes=response_types.response_classes(current_kampus()), xqueue=self.problem_queue(),
        )

    def problem_queue(self) -> ProblemQueue:
        """The external grading queues of this learner's problem (``coderesponse``)."""
        usage = self.scope_ids.usage_id
        course_key = getattr(usage, "course_key", None)
        return ProblemQueue(user_id=self._user_id(), course_id=str(course_key or ""), usage_id=str(usage),
                            default_queuename=default_queue_name(course_key) if course_key is not None else "")

    def apply_queue_reply(self, queuekey: str, score_msg: str) -> bool:
        """An external grader's reply to the submission queued under ``queuekey`` (upstream's
        ``score_update``): the state and score are updated and the grade published; False (nothing changed)
        when no input waits for that key.

        The reply is applied to the stored correct map directly (the queued input's maximum points were kept
        in its queue state at submission), without parsing the problem again; a submission queued before
        that was kept goes through the parsed problem as upstream does."""
        cmap = CorrectMap()
        cmap.set_dict(self.correct_map or {})
        waiting = [answer_id for answer_id in cmap if cmap.is_right_queuekey(answer_id, queuekey)]
        if not waiting:
            return False
        points = cmap[waiting[0]]["queuestate"].get("points")
        if self._lcp is None and self.score is not None and isinstance(points, (int, float)):
            apply_grader_reply(cmap, waiting[0], score_msg, queuekey, float(points))
            self.correct_map = cmap.get_dict()
            earned = sum(cmap.get_npoints(answer_id) for answer_id in cmap)
            self.score = {"raw_earned": float(earned), "raw_possible": float(self.score.get("raw_possible") or 0)}
        else:
            lcp = self.lcp
            lcp.update_score(score_msg, queuekey)
            self.set_state_from_lcp()
            self.set_score_from_lcp()
        self.publish_grade(grader_response=True)
        return True

    def queue_position(self) -> dict[str, Any]:
        """The learner's queued inputs: ``{"queued": bool, "positions": {input id: position or None}}``."""
        cmap = CorrectMap()
        cmap.set_dict(self.correct_map or {})
        queued = {answer_id: cmap[answer_id]["queuestate"] for answer_id in cmap if cmap.is_queued(answer_id)}
        if not queued:
            return {"queued": False, "positions": {}}
        lookup = getattr(self.problem_queue(), "position", None)
        positions = {answer_id: (lookup(str(state.get("key") or "")) if callable(lookup) else None)
                     for answer_id, state in queued.items()}
        return {"queued": True, "positions": positions}

    @property
    def lcp(self) -> Any:
        if self._lcp is None:
            self._lcp = self.new_lcp(self.state_for_lcp())
            if self.score is None:
                self.set_score_from_lcp()
        return self._lcp

    def set_state_from_lcp(self) -> None:
        state = self.lcp.get_state()
        self.done = bool(state.get("done"))
        self.correct_map = state.get("correct_map") or {}
        self.input_state = state.get("input_state") or {}
        self.student_answers = state.get("student_answers") or {}
        self.has_saved_answers = bool(state.get("has_saved_answers"))
        if state.get("seed") is not None:
            self.seed = state["seed"]

    def set_score_from_lcp(self) -> None:
        result = self.lcp.get_score()
        self.score = {"raw_earned": float(result["score"]), "raw_possible": float(result["total"])}

    # --- policies -------------------------------------------------------------------------------

    def course_end(self) -> datetime | None:
        structure = getattr(self.runtime, "structure", None)
        if structure is None:
            return None
        root = structure.blocks.get(structure.root)
        return parse_date(root.fields.get("end")) if root is not None else None

    @property
    def close_date(self) -> datetime | None:
        return policies.close_date(self.due, policies.parse_timedelta(self.graceperiod),
                                   course_end=self.course_end(), self_paced=bool(self.self_paced))

    def is_correct(self) -> bool:
        score = self.score or {}
        possible = score.get("raw_possible") or 0
        return bool(possible) and score.get("raw_earned") == possible

    def situation(self, now: datetime | None = None) -> Situation:
        return Situation(
            attempts=self.attempts or 0, max_attempts=self.max_attempts, correct=self.is_correct(),
            done=bool(self.done), close=self.close_date, now=now or _now(), staff=self.user_is_staff,
            self_paced=bool(self.self_paced),
        )

    def closed(self) -> bool:
        return self.situation().closed

    def correctness_available(self) -> bool:
        return policies.correctness_available(self.show_correctness, self.close_date, _now(), self.user_is_staff)

    def answer_available(self) -> bool:
        return policies.answer_available(
            self.showanswer, self.situation(), show_correctness=self.show_correctness,
            attempts_before_showanswer_button=self.attempts_before_showanswer_button or 0)

    def weighted(self) -> tuple[float, float]:
        score = self.score or {"raw_earned": 0.0, "raw_possible": 0.0}
        return policies.weighted_score(score.get("raw_earned") or 0.0, score.get("raw_possible") or 0.0,
                                       self.weight)

    def max_score(self) -> float:
        try:
            raw = float(self.lcp.get_max_score())
        except Exception:
            return 0.0
        return policies.weighted_score(0.0, raw, self.weight)[1]

    def display_progress(self) -> tuple[float | None, float]:
        earned, possible = self.weighted()
        return (earned if self.correctness_available() else None), possible

    # --- rendering --------------------------------------------------------------------------------

    def _gettext(self) -> Any:
        try:
            return self.runtime.service(self, "i18n")
        except Exception:  # pragma: no cover - outside a runtime
            return gettext.NullTranslations()

    def t(self, text: str, **kwargs: Any) -> str:
        translated = self._gettext().gettext(text)
        return translated.format(**kwargs) if kwargs else translated

    def replace_urls(self, html: str) -> str:
        try:
            service = self.runtime.service(self, "replace_urls")
        except Exception:
            service = None
        return service.replace_urls(html) if service is not None else html

    def error_html(self, err: Exception) -> str:
        """The alert shown instead of a problem that fails; course staff also see the detail."""
        if isinstance(err, SandboxError):
            message, detail = err.learner_message, err.detail
        else:  # the template's own message
            message, detail = "", f"{type(err).__name__}: {err}"
        return render_problem_template("problems/error.html", message=message,
                                       detail=detail if self.user_is_staff else "")

    def notification(self) -> tuple[str | None, str | None]:
        """(type, message) after a submission: correct, incorrect, partially-correct or submitted."""
        if not self.done or not self.correct_map:
            return None, None
        if not self.correctness_available():
            return "submitted", self.t("Answer submitted.")
        kinds = {value.get("correctness") for value in self.correct_map.values() if isinstance(value, dict)}
        if kinds == {"correct"}:
            kind = "correct"
        elif kinds == {"incorrect"} or not kinds:
            kind = "incorrect"
        elif kinds == {"incomplete"}:
            kind = "submitted"
        else:
            kind = "partially-correct"
        earned, possible = self.weighted()
        points = f"{points_text(earned)}/{points_text(possible)} " + (
            self.t("point") if possible == 1 else self.t("points"))
        labels = {"correct": self.t("Correct"), "incorrect": self.t("Incorrect"),
                  "partially-correct": self.t("Partially correct"), "submitted": self.t("Answer submitted.")}
        message = labels[kind] if kind == "submitted" else f"{labels[kind]} ({points})"
        return kind, message

    def problem_html(self) -> str:
        """The problem's contents: the CAPA HTML, messages and buttons (replaced after every action)."""
        try:
            lcp = self.lcp
            capa_html = render(lcp, RenderOptions(correctness=self.correctness_available(),
                                                  staff=self.user_is_staff))
            hints = list(lcp.get_demand_hints() or [])
        except Exception as err:
            log.warning("problem %s failed to render: %s", self.scope_ids.usage_id, err, exc_info=True)
            capa_html, hints = self.error_html(err), []
            return capa_html
        situation = self.situation()
        kind, message = self.notification()
        attempts_text = ""
        if self.max_attempts is not None and self.max_attempts > 0:
            attempts_text = self.t("You have used {used} of {allowed} attempts", used=self.attempts or 0,
                                   allowed=self.max_attempts)
        save_message = None
        if self.has_saved_answers:
            save_message = self.t("Your answers were previously saved. Click 'Submit' to grade them.")
        html = render_problem_template(
            "problems/problem_contents.html",
            capa_html=Markup(self.replace_urls(capa_html)),
            html_id=self.html_id,
            notification_type=kind,
            notification_message=message,
            submit_enabled=policies.should_enable_submit_button(situation, self.rerandomize),
            show_reset=policies.should_show_reset_button(situation, self.rerandomize, self.show_reset_button),
            show_save=policies.should_show_save_button(situation, self.rerandomize, self.force_save_button),
            answer_available=self.answer_available(),
            demand_hints=len(hints),
            attempts_text=attempts_text,
            save_message=save_message,
            closed=situation.closed,
        )
        return html

    def progress_text(self) -> str:
        earned, possible = self.display_progress()
        if not possible:
            return ""
        unit = self.t("point") if possible == 1 else self.t("points")
        graded = self.t("graded") if self.graded else self.t("ungraded")
        if earned is None or not self.done and not earned:
            return f"{points_text(possible)} {unit} {'(' + graded + ')'}" if possible else ""
        return f"{points_text(earned)}/{points_text(possible)} {unit} ({graded})"

    @XBlock.supports("multi_device")
    def student_view(self, context: Any = None) -> Fragment:
        try:
            contents = self.problem_html()
        except Exception as err:  # pragma: no cover - problem_html catches the engine's errors
            contents = self.error_html(err)
        html = render_problem_template(
            "problems/problem.html",
            html_id=self.html_id,
            usage_id=str(self.scope_ids.usage_id),
            display_name=self.display_name or "problem",
            progress=self.progress_text(),
            contents=Markup(contents),
        )
        frag = Fragment(html)
        frag.add_css_url("/static/problems/problem.css")
        frag.add_javascript_url("/static/problems/jsinput.js")
        frag.add_javascript_url("/static/problems/problem.js")
        frag.initialize_js("KampusProblem")
        return frag

    def author_view(self, context: Any = None) -> Fragment:
        return self.student_view(context)

    # --- handlers -----------------------------------------------------------------------------------

    def _request_data(self, request: Any) -> Any:
        """The request's form fields, or its JSON object; anything else is a malformed request."""
        content_type = (getattr(request, "content_type", "") or "").lower()
        if "json" in content_type:
            try:
                data = json.loads(request.body.decode("utf-8") or "{}")
            except ValueError as err:  # UnicodeDecodeError included
                raise MalformedSubmission(self.t("The request body is not valid JSON.")) from err
            if not isinstance(data, dict):
                raise MalformedSubmission(self.t("The request body must be a JSON object."))
            return data
        if content_type in ("", "application/x-www-form-urlencoded", "multipart/form-data") or not request.body:
            return request.POST
        raise MalformedSubmission(self.t("Send the answers as form fields or as a JSON object."))

    def _dispatch(self, name: str, request: Any) -> Response:
        handlers = {
            "problem_check": self.submit_problem,
            "problem_save": self.save_problem,
            "problem_reset": self.reset_problem,
            "problem_show": self.get_answer,
            "hint_button": self.get_demand_hint,
            "problem_get": self.get_problem,
        }
        if name not in handlers:
            return _json({"error": f"{name} is not a known capa action"}, 404)
        if request.method != "POST" and name != "problem_get":
            return _json({"error": "POST required"}, 405)
        before = self.weighted()
        before_attempts = self.attempts
        try:
            result = handlers[name](self._request_data(request))
        except ProblemError as err:
            return _json({"success": str(err), "error": str(err)}, 400)
        except ValueError as err:
            return _json({"success": str(err), "error": str(err)}, 400)
        earned, possible = self.display_progress()
        result.update({
            "progress_changed": self.weighted() != before or self.attempts != before_attempts,
            "current_score": earned,
            "total_possible": possible,
            "attempts_used": self.attempts,
            "attempts_allowed": self.max_attempts,
            "progress": self.progress_text(),
        })
        return _json(result)

    @XBlock.handler
    def problem_check(self, request: Any, suffix: str = "") -> Response:
        return self._dispatch("problem_check", request)

    @XBlock.handler
    def problem_save(self, request: Any, suffix: str = "") -> Response:
        return self._dispatch("problem_save", request)

    @XBlock.handler
    def problem_reset(self, request: Any, suffix: str = "") -> Response:
        return self._dispatch("problem_reset", request)

    @XBlock.handler
    def problem_show(self, request: Any, suffix: str = "") -> Response:
        return self._dispatch("problem_show", request)

    @XBlock.handler
    def hint_button(self, request: Any, suffix: str = "") -> Response:
        return self._dispatch("hint_button", request)

    @XBlock.handler
    def problem_get(self, request: Any, suffix: str = "") -> Response:
        return self._dispatch("problem_get", request)

    @XBlock.handler
    def queue_status(self, request: Any, suffix: str = "") -> Response:
        """Where the learner's queued answers stand (polled by the page while one waits for its grader):
        ``{"queued": true, "messages": {input id: text}}``, or, once graded, ``{"queued": false,
        "contents", "progress", "notification"}`` to show the grader's feedback."""
        status = self.queue_position()
        if status["queued"]:
            messages = {}
            for answer_id, position in status["positions"].items():
                if position == 0:
                    where = self.t("A grader is checking your answer now.")
                elif position:
                    where = self.t("Position in queue: {position}.", position=position)
                else:
                    where = ""
                messages[answer_id] = " ".join(part for part in (
                    self.t("Your answer has been queued for grading."), where,
                    self.t("As soon as it is graded, this message is replaced with the grader's feedback.")) if part)
            return _json({"queued": True, "messages": messages})
        _kind, message = self.notification()
        return _json({"queued": False, "contents": self.problem_html(), "progress": self.progress_text(),
                      "notification": message or ""})

    @XBlock.handler
    def xmodule_handler(self, request: Any, suffix: str = "") -> Response:
        """Open edX's URL: ``.../handler/xmodule_handler/<action>``."""
        return self._dispatch(suffix.strip("/"), request)

    # --- actions (upstream's names and results) -------------------------------------------------------------

    def publish_unmasked(self, name: str, event_info: dict[str, Any]) -> None:
        event = copy.deepcopy(event_info)
        try:
            for response in self.lcp.responders.values():
                unmask = getattr(response, "unmask_name", None)
                has_mask = getattr(response, "has_mask", None)
                if unmask and has_mask and has_mask():
                    answer_id = getattr(response, "answer_id", None)
                    answer = event.get("answers", {}).get(answer_id)
                    if answer is not None:
                        event["answers"][answer_id] = unmask(answer)
        except Exception:  # the event must go out even when unmasking fails
            log.debug("unmasking failed", exc_info=True)
        self.runtime.publish(self, name, event)

    def publish_grade(self, grader_response: bool = False) -> dict[str, float]:
        earned, possible = self.weighted()
        score = self.score or {}
        data = {
            "value": earned, "max_value": possible, "only_if_higher": False,
            "raw_earned": score.get("raw_earned", 0.0), "raw_possible": score.get("raw_possible", 0.0),
        }
        if grader_response:
            data["grader_response"] = True
        self.runtime.publish(self, "grade", data)
        return {"grade": earned, "max_grade": possible}

    def publish_queued(self) -> dict[str, float]:
        """A submission waits for its grader: the block is complete, its score is not published yet."""
        earned, possible = self.weighted()
        self.runtime.publish(self, "completion", {"completion": 1.0})
        return {"grade": earned, "max_grade": possible}

    def submission_metadata(self, answers: dict[str, Any], correct_map: Any) -> dict[str, Any]:
        metadata: dict[str, Any] = {}
        try:
            problem_data = getattr(self.lcp, "problem_data", None) or {}
            elements = {}
            for response_el, responder in self.lcp.responders.items():
                label = response_el.find("label")
                question = text_content(label) if label is not None else ""
                for field in getattr(responder, "inputfields", []):
                    data = problem_data.get(field.get("id")) or {}
                    asked = text_of(data.get("label") or "") or field.get("label") or question
                    group = text_of(data.get("group_label") or "")
                    elements[field.get("id")] = (response_el.tag, field.tag, asked, group)
            variant = self.get_seed() if policies.is_randomized(self.rerandomize) else ""
            for input_id, answer in answers.items():
                response_type, input_type, question, group = elements.get(input_id, ("", "", "", ""))
                correct = correct_map.is_correct(input_id) if input_id in correct_map else None
                metadata[input_id] = {
                    "question": question, "answer": answer, "response_type": response_type,
                    "input_type": input_type, "correct": "" if correct is None else correct,
                    "variant": variant, "group_label": group,
                }
        except Exception:
            log.exception("Unable to gather submission metadata")
        return metadata

    def _lcp_error_message(self, err: Exception) -> str:
        if isinstance(err, SandboxError):
            if self.user_is_staff and err.detail:
                return f"{err.learner_message}\n\nStaff debug info: {err.detail}"
            return err.learner_message
        if self.user_is_staff:
            return f"Staff debug info: {traceback.format_exc()}"
        text = str(err.args[0]) if err.args else str(err)
        return text

    def submit_problem(self, data: Any) -> dict[str, Any]:
        lcp = self.lcp
        event_info: dict[str, Any] = {"state": lcp.get_state(), "problem_id": str(self.scope_ids.usage_id)}
        answers = make_dict_of_responses(data)
        event_info["answers"] = answers
        if isinstance(getattr(lcp, "xqueue", None), ProblemQueue):
            lcp.xqueue.files = uploaded_files(data)
        now = _now()
        if self.closed():
            event_info["failure"] = "closed"
            self.publish_unmasked("problem_check_fail", event_info)
            raise ProblemError(self.t("Problem is closed."))
        if self.done and policies.normalize_randomization(self.rerandomize) == policies.RANDOMIZATION.ALWAYS:
            event_info["failure"] = "unreset"
            self.publish_unmasked("problem_check_fail", event_info)
            raise ProblemError(self.t("Problem must be reset before it can be submitted again."))
        try:
            check_submission(lcp, answers)
        except EmptySubmission:
            # Open edX's reply to an action it does not do: {"success": message}; nothing graded or stored.
            event_info["failure"] = "empty"
            self.publish_unmasked("problem_check_fail", event_info)
            return {"success": self.t("Please enter an answer before submitting."), "refused": True}
        except MalformedSubmission:
            event_info["failure"] = "invalid"
            self.publish_unmasked("problem_check_fail", event_info)
            raise
        remaining = policies.wait_remaining(self.last_submission_time, self.submission_wait_seconds, now)
        if remaining:
            message = self.t("You must wait at least {wait_secs} between submissions. {remaining_secs} remaining.",
                             wait_secs=policies.pretty_seconds(self.submission_wait_seconds or 0),
                             remaining_secs=policies.pretty_seconds(remaining))
            return {"success": message, "html": ""}
        lcp.has_saved_answers = False
        try:
            if hasattr(lcp, "context") and isinstance(lcp.context, dict):
                lcp.context["attempt"] = (self.attempts or 0) + 1
            correct_map = lcp.grade_answers(answers)
            self.attempts = (self.attempts or 0) + 1
            lcp.done = True
            self.set_state_from_lcp()
            self.set_score_from_lcp()
            self.last_submission_time = now
        except (StudentInputError, ResponseError, LoncapaProblemError, SandboxError) as err:
            log.info("problem_check of %s failed: %s", self.scope_ids.usage_id, err)
            return {"success": self._lcp_error_message(err)}
        if lcp.is_queued():
            # Queued for an external grader: no score yet; it is published when the grader's reply arrives
            # (:meth:`apply_queue_reply`). The answer completes the problem now, as Open edX's does.
            published = self.publish_queued()
        else:
            published = self.publish_grade()
        success = "correct"
        for answer_id in correct_map:
            if not correct_map.is_correct(answer_id):
                success = "incorrect"
        event_info.update({
            "grade": published["grade"], "max_grade": published["max_grade"],
            "correct_map": correct_map.get_dict(), "success": success, "attempts": self.attempts,
            "submission": self.submission_metadata(answers, correct_map),
        })
        self.publish_unmasked("problem_check", event_info)
        if not self.correctness_available():
            success = "submitted"
        _kind, message = self.notification()
        return {"success": success, "contents": self.problem_html(), "notification": message or ""}

    def save_problem(self, data: Any) -> dict[str, Any]:
        lcp = self.lcp
        event_info: dict[str, Any] = {"state": lcp.get_state(), "problem_id": str(self.scope_ids.usage_id)}
        answers = make_dict_of_responses(data)
        event_info["answers"] = answers
        try:
            check_submission(lcp, answers)
        except EmptySubmission:
            pass  # saving blank answers is allowed
        if self.closed() and self.max_attempts != 0:
            event_info["failure"] = "closed"
            self.publish_unmasked("save_problem_fail", event_info)
            return {"success": False, "msg": self.t("Problem is closed.")}
        if self.done and policies.normalize_randomization(self.rerandomize) == policies.RANDOMIZATION.ALWAYS:
            event_info["failure"] = "done"
            self.publish_unmasked("save_problem_fail", event_info)
            return {"success": False, "msg": self.t("Problem needs to be reset prior to save.")}
        lcp.student_answers = answers
        lcp.has_saved_answers = True
        self.set_state_from_lcp()
        self.publish_unmasked("save_problem_success", event_info)
        self.publish_unmasked("problem_save", event_info)
        msg = self.t("Your answers have been saved.")
        if self.max_attempts != 0:
            msg = self.t("Your answers have been saved but not graded. Click 'Submit' to grade them.")
        return {"success": True, "msg": msg, "html": self.problem_html(), "contents": self.problem_html()}

    def reset_problem(self, data: Any) -> dict[str, Any]:
        lcp = self.lcp
        event_info: dict[str, Any] = {"old_state": lcp.get_state(), "problem_id": str(self.scope_ids.usage_id)}
        if self.closed():
            event_info["failure"] = "closed"
            self.publish_unmasked("reset_problem_fail", event_info)
            return {"success": False, "msg": self.t("You cannot select Reset for a problem that is closed.")}
        if not self.done:
            event_info["failure"] = "not_done"
            self.publish_unmasked("reset_problem_fail", event_info)
            return {"success": False, "msg": self.t("You must submit an answer before you can select Reset.")}
        if policies.reseeds_on_reset(self.rerandomize):
            self.choose_new_seed()
        self._lcp = self.new_lcp(None)
        self.set_state_from_lcp()
        self.set_score_from_lcp()
        self.publish_grade()
        event_info["new_state"] = self._lcp.get_state()
        self.publish_unmasked("reset_problem", event_info)
        self.publish_unmasked("problem_reset", event_info)
        return {"success": True, "html": self.problem_html(), "contents": self.problem_html()}

    def get_answer(self, data: Any) -> dict[str, Any]:
        event_info = {"problem_id": str(self.scope_ids.usage_id)}
        self.publish_unmasked("showanswer", event_info)
        if not self.answer_available():
            raise ProblemError(self.t("Answer is not available"))
        self.publish_unmasked("problem_show", event_info)
        answers = self.lcp.get_question_answers()
        self.set_state_from_lcp()
        shown = {}
        for answer_id, answer in answers.items():
            shown[answer_id] = self.replace_urls(answer) if isinstance(answer, str) else answer
        return {"answers": shown, "notification": self.t("Answers are displayed within the problem.")}

    def get_demand_hint(self, data: Any) -> dict[str, Any]:
        hints = list(self.lcp.get_demand_hints() or [])
        if not hints:
            raise ProblemError(self.t("This problem has no hints."))
        try:
            index = int(data.get("hint_index", 0))
        except (TypeError, ValueError):
            index = 0
        index %= len(hints)
        shown = [Markup(self.replace_urls(hint)) for hint in hints[:index + 1]]  # author markup
        self.runtime.publish(self, "edx.problem.hint.demandhint_displayed", {
            "module_id": str(self.scope_ids.usage_id), "hint_index": index, "hint_len": len(hints),
            "hint_text": hints[index],
        })
        return {"success": True, "hint_index": index, "should_enable_next_hint": index + 1 < len(hints),
                "msg": str(render_problem_template("problems/demand_hints.html", hints=shown, count=len(hints)))}

    def get_problem(self, data: Any) -> dict[str, Any]:
        return {"html": self.problem_html()}
