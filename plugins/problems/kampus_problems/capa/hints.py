"""Hints and feedback: extended hints (choicehint, optionhint, correcthint, stringequalhint, regexphint,
compoundhint), legacy ``<hintgroup>`` conditions and ``hintfn`` functions, and demand hints.

Each shown feedback is also recorded on ``problem.hint_events`` as the payload of upstream's
``edx.problem.hint.feedback_displayed`` event, for the XBlock to publish.
"""

from __future__ import annotations

import html
import re
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree

from kampus.drivers.sandbox import SandboxError
from kampus_problems.capa.correctmap import CorrectMap
from kampus_problems.capa.errors import ResponseError
from kampus_problems.capa.script import run_sandboxed

if TYPE_CHECKING:
    from kampus_problems.capa.responses.base import LoncapaResponse

_CORRECTMAP_SOURCE = (Path(__file__).parent / "correctmap.py").read_text()


def inner_html(node: etree._Element) -> str:
    """The element's content as markup, without its own tag."""
    text = etree.tostring(node, encoding="unicode", with_tail=False).strip()
    return re.sub(rf"(?ms)^<{re.escape(node.tag)}[^>]*>(.*)</{re.escape(node.tag)}>$", r"\1", text).strip()


def make_hint_div(response: LoncapaResponse, hint_node: etree._Element | None, correct: bool, student_answer: list,
                  label: str | None = None, hint_log: list[dict] | None = None, multiline: bool = False,
                  log_extra: dict | None = None) -> str:
    """The feedback ``<div>`` (upstream's markup and classes), or '' when there is no hint text."""
    if not hint_log:
        if hint_node is None or (hint_node.text is None and len(hint_node) == 0):
            return ""
        text = inner_html(hint_node)
        if not text:
            return ""
        hint_log = [{"text": text}]
    if not label and hint_node is not None:
        label = hint_node.get("label")
    if label is None:
        label = "Correct:" if correct else "Incorrect:"
    event = {"problem_part_id": response.id, "trigger_type": "single", "hint_label": label, "hints": hint_log,
             "correctness": correct, "student_answer": student_answer, "question_type": response.tag}
    event.update(log_extra or {})
    response.problem.hint_events.append(event)
    hints = "".join(f'<div class="hint-text">{entry.get("text")}</div>' for entry in hint_log)
    if multiline:
        hints = f'<div class="feedback-hint-multi">{hints}</div>'
    label_html = f'<span class="hint-label">{html.escape(label)} </span>' if label else ""
    style = "feedback-hint-correct" if correct else "feedback-hint-incorrect"
    return f'<div class="{style}"><div class="explanation-title">Answer</div>{label_html}{hints}</div>'


def add_hints(response: LoncapaResponse, student_answers: dict[str, Any], new_cmap: CorrectMap,
              old_cmap: CorrectMap) -> None:
    """Upstream's get_hints: a hint function, else hintgroup conditions, else extended hints."""
    hintgroup = response.xml.find("hintgroup")
    hintfn = hintgroup.get("hintfn") if hintgroup is not None else None
    if hintfn:
        run_hint_function(response, hintfn, student_answers, new_cmap, old_cmap)
        return
    if response.hint_tag and hintgroup is not None and hintgroup.find(response.hint_tag) is not None:
        names = response.check_hint_condition(hintgroup.findall(response.hint_tag), student_answers)
        mode = hintgroup.get("mode", "always")
        for part in hintgroup.findall("hintpart"):
            if part.get("on") in names:
                text_node = part.find("text")
                new_cmap.set_hint_and_mode(response.answer_ids[-1], text_node.text if text_node is not None else "",
                                           mode)
        return
    extended = EXTENDED_HINTS.get(response.tag)
    if extended is not None:
        extended(response, student_answers, new_cmap)


def run_hint_function(response: LoncapaResponse, hintfn: str, student_answers: dict[str, Any],
                      new_cmap: CorrectMap, old_cmap: CorrectMap) -> None:
    """Run the script's ``hintfn(answer_ids, student_answers, new_cmap, old_cmap)`` in the sandbox."""
    # CorrectMap's own source, compiled on its own (its __future__ import must open a source)
    script = response.context.get("script_code", "")
    code = f"exec({_CORRECTMAP_SOURCE!r}, globals())\n" + script + "\n" + textwrap.dedent(f"""
        new_cmap = CorrectMap()
        new_cmap.set_dict(new_cmap_dict)
        old_cmap = CorrectMap()
        old_cmap.set_dict(old_cmap_dict)
        {hintfn}(answer_ids, student_answers, new_cmap, old_cmap)
        new_cmap_dict.update(new_cmap.get_dict())
        old_cmap_dict.update(old_cmap.get_dict())
        """)
    globals_dict = {"answer_ids": response.answer_ids, "student_answers": student_answers,
                    "new_cmap_dict": new_cmap.get_dict(), "old_cmap_dict": old_cmap.get_dict()}
    try:
        run_sandboxed(response.problem.sandbox, code, globals_dict, seed=response.context["seed"],
                      slug=response.id or "", extra_files=response.problem.extra_files)
    except SandboxError as err:
        raise ResponseError(f"Error {err} in evaluating hint function {hintfn}.") from err
    new_cmap.set_dict(globals_dict["new_cmap_dict"])


# -- extended hints, per response type ------------------------------------------------------------
def _append_msg(cmap: CorrectMap, answer_id: str, text: str) -> None:
    if text:
        cmap[answer_id]["msg"] = (cmap[answer_id].get("msg") or "") + text


def checkbox_hints(response: Any, student_answers: dict[str, Any], new_cmap: CorrectMap) -> None:
    aid = response.answer_id
    if aid in student_answers and _compound_hint(response, student_answers, new_cmap):
        return
    chosen = student_answers.get(aid, [])
    if not isinstance(chosen, list):
        chosen = [chosen]
    hint_log, label, label_count, names = [], None, 0, []
    for choice in response.xml.xpath("//checkboxgroup[@id=$id]/choice", id=aid):
        name = choice.get("name")
        names.append(name)
        selected = name in chosen
        for node in choice.findall("./choicehint"):
            if (node.get("selected") or "").lower() == ("true" if selected else "false"):
                text = inner_html(node)
                if node.get("label") is not None:
                    label = node.get("label")
                    label_count += 1
                if text:
                    hint_log.append({"text": text, "trigger": [{"choice": name, "selected": selected}]})
    if hint_log:
        if label_count > 1:
            label = None
        _append_msg(new_cmap, aid, make_hint_div(
            response, None, new_cmap[aid]["correctness"] == "correct", chosen, label, hint_log, multiline=True,
            log_extra={"choice_all": names}))


def _choices_named(choices: list[Any], answer: Any) -> list[Any]:
    """The choices named ``answer``, compared in Python: lxml refuses learner text with control characters."""
    return [choice for choice in choices if choice.get("name") == str(answer)]


def _compound_hint(response: Any, student_answers: dict[str, Any], new_cmap: CorrectMap) -> bool:
    aid = response.answer_id
    chosen = student_answers[aid] if isinstance(student_answers[aid], list) else [student_answers[aid]]
    ids, names = set(), []
    for answer in chosen:
        found = _choices_named(response.xml.xpath("//checkboxgroup[@id=$id]/choice", id=aid), answer)
        if found:
            ids.add((found[0].get("id") or "").upper())
            names.append(answer)
    for hint in response.xml.xpath("//checkboxgroup[@id=$id]/compoundhint", id=aid):
        if set((hint.get("value") or "").upper().split()) == ids:
            all_names = [c.get("name") for c in response.xml.xpath("//checkboxgroup[@id=$id]/choice", id=aid)]
            hint_log = [{"text": (hint.text or "").strip(),
                         "trigger": [{"choice": n, "selected": True} for n in names]}]
            _append_msg(new_cmap, aid, make_hint_div(
                response, hint, new_cmap[aid]["correctness"] == "correct", chosen, hint_log=hint_log,
                log_extra={"trigger_type": "compound", "choice_all": all_names}))
            return True
    return False


def multiple_choice_hints(response: Any, student_answers: dict[str, Any], new_cmap: CorrectMap) -> None:
    aid = response.answer_id
    if aid not in student_answers:
        return
    answer = student_answers[aid]
    if isinstance(answer, list):
        answer = answer[0] if answer else ""
    found = _choices_named(response.xml.xpath("./choicegroup[@id=$id]/choice", id=aid), answer)
    if found:
        choice = found[0]
        _append_msg(new_cmap, aid, make_hint_div(
            response, choice.find("./choicehint"), (choice.get("correct") or "").upper() == "TRUE", [answer]))


def option_hints(response: Any, student_answers: dict[str, Any], new_cmap: CorrectMap) -> None:
    aid = response.answer_ids[0]
    if aid not in student_answers:
        return
    answer = student_answers[aid]
    options = [o for o in response.xml.xpath("//optioninput[@id=$id]/option", id=aid)
               if (o.text or "").strip() == answer]
    if options and options[0].find("./optionhint") is not None:
        option = options[0]
        _append_msg(new_cmap, aid, make_hint_div(
            response, option.find("./optionhint"), (option.get("correct") or "").upper() == "TRUE", [answer]))


def numerical_hints(response: Any, student_answers: dict[str, Any], new_cmap: CorrectMap) -> None:
    aid = response.answer_id
    if aid not in student_answers or new_cmap[aid]["correctness"] != "correct":
        return
    if response.additional_answer_index == -1:
        nodes = response.xml.xpath("//numericalresponse[@id=$id]/correcthint", id=response.id)
        node = nodes[0] if nodes else None
    else:
        nodes = response.xml.xpath("//numericalresponse[@id=$id]/additional_answer", id=response.id)
        node = nodes[response.additional_answer_index].find("./correcthint") if nodes else None
    if node is not None:
        _append_msg(new_cmap, aid, make_hint_div(response, node, True, [student_answers[aid]]))


def string_hints(response: Any, student_answers: dict[str, Any], new_cmap: CorrectMap) -> None:
    aid = response.answer_id
    if aid not in student_answers:
        return
    given = student_answers[aid]
    if not isinstance(given, str):
        return
    xml = response.xml
    expected = (xml.get("answer") or "").strip()
    if response.check_string([expected], given):
        node = xml.find("./correcthint")
        if node is not None:
            _append_msg(new_cmap, aid, make_hint_div(response, node, True, [given]))
        return
    for node in xml.findall("./additional_answer"):
        if response.match_hint_node(node, given, response.regexp, response.case_insensitive):
            _append_msg(new_cmap, aid, make_hint_div(response, node.find("./correcthint"), True, [given]))
            return
    for node in xml.findall("./stringequalhint"):
        if response.match_hint_node(node, given, False, response.case_insensitive):
            _append_msg(new_cmap, aid, make_hint_div(response, node, False, [given]))
            return
    for node in xml.findall("./regexphint"):
        if response.match_hint_node(node, given, True, response.case_insensitive):
            _append_msg(new_cmap, aid, make_hint_div(response, node, False, [given]))
            return


EXTENDED_HINTS = {
    "choiceresponse": checkbox_hints,
    "multiplechoiceresponse": multiple_choice_hints,
    "optionresponse": option_hints,
    "numericalresponse": numerical_hints,
    "stringresponse": string_hints,
}


def demand_hints(tree: etree._Element) -> list[str]:
    """The ``<demandhint><hint>`` texts, in order (shown one per click of the Hint button)."""
    return [inner_html(hint) for hint in tree.xpath("//demandhint/hint")]
