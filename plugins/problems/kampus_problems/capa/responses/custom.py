"""Author-checked answers (customresponse, and jsinput inside it): the check runs in the sandbox.

Two forms, as upstream: ``cfn="name"`` calls a function defined in the problem's script (one
sandbox run of the script plus the call); an ``<answer type="loncapa/python">`` block runs with
the problem's context and sets ``correct``/``messages``/``overall_message``/``grade_decimals``.
"""

from __future__ import annotations

import html
import re
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from kampus.drivers.sandbox import SandboxError
from kampus_problems.capa.correctmap import CorrectMap
from kampus_problems.capa.errors import ResponseError
from kampus_problems.capa.responses.base import LoncapaResponse
from kampus_problems.capa.script import contextualize_text, run_check_function, run_sandboxed

DEFAULT_PARTIAL_CREDIT = 0.5


def process_ok(ok_value: Any) -> str:
    """A check function's ``ok``: falsy/'false' -> incorrect, containing 'partial' -> partial, else correct."""
    ok = str(ok_value).lower().strip() if bool(ok_value) else "false"
    if ok == "false":
        return "incorrect"
    if "partial" in ok:
        return "partially-correct"
    return "correct"


def grade_of(correctness: str) -> float:
    return {"correct": 1.0, "partially-correct": DEFAULT_PARTIAL_CREDIT}.get(correctness, 0.0)


def clean_message_html(msg: Any) -> str:
    """Make a check function's message well-formed HTML (upstream parses it leniently and re-serialises)."""
    if not msg:
        return ""
    text = str(msg).replace("&#60;", "&lt;")
    try:
        fragment = lxml_html.fragment_fromstring(text, create_parent="html")
        text = etree.tostring(fragment, encoding="unicode", method="xml")
        text = re.sub(r"(?ms)^<html>(.*)</html>$", r"\1", text)
    except (etree.ParserError, ValueError):
        text = html.escape(text)
    return text.replace("&#13;", "").strip()


class CustomResponse(LoncapaResponse):
    """Graded by the author's Python, through the sandbox."""

    tag = "customresponse"
    human_name = "Custom Evaluated Script"
    needs_python = True
    allowed_inputfields = (
        "textline", "textbox", "crystallography", "chemicalequationinput", "vsepr_input", "drag_and_drop_input",
        "designprotein2dinput", "editageneinput", "annotationinput", "jsinput", "formulaequationinput",
    )

    def setup_response(self) -> None:
        self.expect = contextualize_text(self.xml.get("expect") or self.xml.get("answer"), self.context)
        answers = self.xml.xpath("//*[@id=$id]//answer", id=self.xml.get("id"))
        self.cfn: str | None = None
        self.code = ""
        if answers:
            self.code = answers[0].text or ""
        elif self.xml.get("cfn"):
            self.cfn = self.xml.get("cfn")

    def get_score(self, student_answers: dict[str, Any]) -> CorrectMap:
        idset = sorted(self.answer_ids, key=lambda aid: int(aid.split("_")[-1]))
        missing = [aid for aid in idset if aid not in student_answers]
        if missing:
            raise ResponseError(f"error getting student answer from {student_answers}; missing {missing}")
        submission = [student_answers[aid] for aid in idset]
        dynamath = [student_answers.get(aid + "_dynamath") for aid in idset]
        if len(idset) == 1 and not submission[0]:
            msg = ('<span class="inline-error">No answer entered!</span>' if self.xml.get("empty_answer_err") else "")
            return CorrectMap(idset[0], "incorrect", msg=msg)

        state = {
            "correct": ["unknown"] * len(idset), "messages": [""] * len(idset), "overall_message": "",
            "grade_decimals": None,
        }
        self.execute_check_function(idset, submission, dynamath, student_answers, state)

        cmap = CorrectMap()
        cmap.set_overall_message(clean_message_html(state["overall_message"]))
        grade_decimals = state["grade_decimals"]
        for k, aid in enumerate(idset):
            maximum = self.maxpoints[aid]
            correctness = state["correct"][k]
            if grade_decimals:
                npoints = maximum * grade_decimals[k]
            elif correctness == "correct":
                npoints = maximum
            elif correctness == "partially-correct":
                npoints = maximum * DEFAULT_PARTIAL_CREDIT
            else:
                npoints = 0
            cmap.set(aid, correctness, msg=state["messages"][k], npoints=npoints)
        return cmap

    def execute_check_function(self, idset: list[str], submission: list[Any], dynamath: list[Any],
                               student_answers: dict[str, Any], state: dict[str, Any]) -> None:
        if self.cfn is None:
            self._run_answer_code(idset, submission, dynamath, student_answers, state)
            return
        answer_given = submission[0] if len(idset) == 1 else submission
        extra_context = {"options": self.xml.get("options"), "dynamath": dynamath, "debug": False,
                         "expect": self.expect, "submission": submission, "answers": student_answers}
        kwargs = {}
        for name in (self.xml.get("cfn_extra_args") or "").split():
            kwargs[name] = extra_context[name] if name in extra_context else self.context.get(name)
        try:
            ret = run_check_function(self.problem.sandbox, self.context, self.cfn, self.expect, answer_given, kwargs,
                                     slug=self.sandbox_slug(), extra_files=self.problem.extra_files)
        except SandboxError as err:
            raise ResponseError(str(err)) from err
        self.apply_check_result(ret, idset, state)

    def apply_check_result(self, ret: Any, idset: list[str], state: dict[str, Any]) -> None:
        if isinstance(ret, dict):
            if "ok" in ret:
                correctness = process_ok(ret["ok"])
                state["correct"] = [correctness] * len(idset)
                msg = clean_message_html(ret.get("msg"))
                if len(idset) > 1:
                    state["overall_message"] = msg
                else:
                    state["messages"][0] = msg
                state["grade_decimals"] = [float(ret.get("grade_decimal", grade_of(correctness)))] * len(idset)
            elif "input_list" in ret:
                correct, messages, decimals = [], [], []
                for item in ret["input_list"]:
                    correctness = process_ok(item.get("ok"))
                    correct.append(correctness)
                    messages.append(clean_message_html(item.get("msg")))
                    decimals.append(float(item.get("grade_decimal", grade_of(correctness))))
                state.update(correct=correct, messages=messages, grade_decimals=decimals,
                             overall_message=ret.get("overall_message", ""))
            else:
                raise ResponseError("CustomResponse: check function returned an invalid dictionary!")
        else:
            correctness = process_ok(ret)
            state["correct"] = [correctness] * len(idset)
            state["grade_decimals"] = [grade_of(correctness)] * len(idset)

    def _run_answer_code(self, idset: list[str], submission: list[Any], dynamath: list[Any],
                         student_answers: dict[str, Any], state: dict[str, Any]) -> None:
        globals_dict = dict(self.context)
        globals_dict.update({
            "response_id": self.id, "expect": self.expect, "submission": submission, "idset": idset,
            "dynamath": dynamath, "answers": student_answers, "correct": state["correct"],
            "messages": state["messages"], "overall_message": "", "options": self.xml.get("options"),
            "testdat": "hello world", "debug": False,
        })
        try:
            run_sandboxed(self.problem.sandbox, self.code, globals_dict, seed=self.context["seed"],
                          slug=self.sandbox_slug(), extra_files=self.problem.extra_files)
        except SandboxError as err:
            raise ResponseError(str(err)) from err
        state["correct"] = list(globals_dict.get("correct") or state["correct"])
        state["messages"] = list(globals_dict.get("messages") or state["messages"])
        state["overall_message"] = globals_dict.get("overall_message", "")
        state["grade_decimals"] = globals_dict.get("grade_decimals")

    def get_answers(self) -> dict[str, Any]:
        if len(self.answer_ids) > 1:
            return self.default_answer_map
        if self.expect:
            return {self.answer_ids[0]: self.expect}
        return self.default_answer_map
