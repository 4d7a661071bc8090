"""LoncapaProblem: one CAPA problem parsed, its scripts run in the sandbox, its answers graded."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from copy import deepcopy
from typing import Any

from kampus_content.api import safe_xml_parser
from lxml import etree

from kampus_problems.capa.answers import get_question_answers
from kampus_problems.capa.correctmap import CorrectMap
from kampus_problems.capa.errors import LoncapaProblemError
from kampus_problems.capa.hints import demand_hints
from kampus_problems.capa.inputs import INPUT_TAGS
from kampus_problems.capa.rendering import render
from kampus_problems.capa.responses import first_party_response_classes
from kampus_problems.capa.script import contextualize_tree, convert_outtext, extract_context

log = logging.getLogger(__name__)

#: Input types whose question label is taken out of the text into the input (accessible inputs).
ACCESSIBLE_INPUT_TYPES = ("checkboxgroup", "radiogroup", "choicegroup", "optioninput", "textline",
                          "formulaequationinput", "textbox")


def parse_problem_xml(problem_text: str | bytes) -> etree._Element:
    """The problem's XML tree, parsed safely (no entities, DTD or network); comments and PIs dropped."""
    if isinstance(problem_text, str):
        problem_text = problem_text.encode("utf-8")
    try:
        # A parser per call: lxml parsers must not be shared between threads.
        return etree.fromstring(problem_text, safe_xml_parser(remove_comments=True, remove_pis=True))
    except etree.XMLSyntaxError as err:
        raise LoncapaProblemError(f"The problem XML is not well-formed: {err}") from err


def stringify_children(node: etree._Element) -> str:
    parts = [node.text or ""]
    for child in node:
        parts.append(etree.tostring(child, encoding="unicode", with_tail=True))
    return "".join(parts)


class LoncapaProblem:
    """A CAPA problem (upstream's ``capa_problem.LoncapaProblem``).

    ``tree`` is the problem after script execution, ``$variable`` substitution and id assignment
    (responses ``<problem_id>_<n>``, inputs ``<problem_id>_<n+1>_<k>``); ``responders`` maps each
    response element to its grader, in document order.

    ``response_classes`` is the registry of response types, ``{tag: class}``: an app's registry
    (:func:`kampus_problems.response_types.response_classes`, built from the ``kampus_response_graders``
    hook); without one, the first-party types (:func:`~kampus_problems.capa.responses.first_party_response_classes`).
    """

    def __init__(self, problem_text: str, *, problem_id: str = "1", seed: int | None = None,
                 state: dict | None = None, sandbox: Any = None, anonymous_student_id: str = "",
                 xqueue: object | None = None, extra_files: dict[str, bytes] | None = None,
                 response_classes: Mapping[str, type] | None = None):
        state = state or {}
        self.problem_id = str(problem_id)
        self.sandbox = sandbox
        self.xqueue = xqueue
        self.anonymous_student_id = anonymous_student_id
        self.extra_files = extra_files
        self.hint_events: list[dict[str, Any]] = []
        self._shared_rng = None
        seed = state.get("seed", seed)
        self.seed: int = 1 if seed is None else int(seed)
        self.student_answers: dict[str, Any] = dict(state.get("student_answers") or {})
        self.has_saved_answers: bool = bool(state.get("has_saved_answers", False))
        self.correct_map = CorrectMap()
        if state.get("correct_map"):
            self.correct_map.set_dict(state["correct_map"])
        self.done: bool = bool(state.get("done", False))
        self.input_state: dict[str, Any] = dict(state.get("input_state") or {})

        self.problem_text = convert_outtext(problem_text)
        self.tree = parse_problem_xml(self.problem_text)
        self._make_xml_compatible()
        self.context: dict[str, Any] = extract_context(
            self.tree, seed=self.seed, anonymous_student_id=anonymous_student_id, sandbox=sandbox,
            slug=self.problem_id, extra_files=extra_files)
        self.problem_data: dict[str, dict[str, Any]] = {}
        self.responders: dict[etree._Element, Any] = {}
        self._preprocess(first_party_response_classes() if response_classes is None else response_classes)
        if not self.student_answers:
            for responder in self.responders.values():
                self.student_answers.update(responder.get_initial_display())
        for responder in sorted(self.responders.values(), key=lambda r: int(r.id.rsplit("_", 1)[1])):
            if hasattr(responder, "late_transforms"):
                responder.late_transforms(self)
        contextualize_tree(self.tree, self.context)

    def __str__(self) -> str:
        return f"LoncapaProblem ({self.problem_id})"

    # -- building --------------------------------------------------------------------------------
    def _make_xml_compatible(self) -> None:
        """Old ``<additional_answer>TEXT</...>`` and ``<option>`` dropdowns, to the forms graders read."""
        for additional in self.tree.xpath("//stringresponse/additional_answer"):
            if not additional.get("answer") and additional.text:
                additional.set("answer", additional.text)
                additional.text = ""
        for optioninput in self.tree.xpath("//optioninput"):
            options = optioninput.findall("./option")
            correct_flags = [(o.get("correct") or "").upper() == "TRUE" for o in options]
            if correct_flags.count(True) > 1:
                raise LoncapaProblemError("Dropdown questions can only have one correct answer.")
            if options:
                names = [(o.text or "").strip() for o in options]
                optioninput.set("options", "(" + ",".join(f"'{n}'" for n in names) + ")")
                for name, correct in zip(names, correct_flags, strict=True):
                    if correct:
                        optioninput.set("correct", name)

    def _preprocess(self, response_classes: Mapping[str, type]) -> None:
        tags = list(response_classes)
        response_number = 1
        for response in self.tree.xpath("|".join("//" + tag for tag in tags)):
            response_id = f"{self.problem_id}_{response_number}"
            response.set("id", response_id)
            response_number += 1
            inputfields = self.tree.xpath(
                "|".join(f"//{response.tag}[@id=$id]//{tag}" for tag in INPUT_TAGS), id=response_id)
            for index, field in enumerate(inputfields, start=1):
                field.set("response_id", str(response_number))
                field.set("answer_id", str(index))
                field.set("id", f"{self.problem_id}_{response_number}_{index}")
            self._a11y_data(response, inputfields, response_id)
            self.responders[response] = response_classes[response.tag](response, inputfields, self)
        for index, solution in enumerate(self.tree.iter("solution"), start=1):
            solution.set("id", f"{self.problem_id}_solution_{index}")

    def _a11y_data(self, response: etree._Element, inputfields: list[etree._Element], response_id: str) -> None:
        """Question labels and descriptions for the inputs (upstream's response_a11y_data)."""
        if not inputfields:
            return
        if len(inputfields) > 1:
            response.set("multiple_inputtypes", "true")
            label_tag = response.find("label")
            group_label = ""
            if label_tag is not None:
                label_tag.tag = "p"
                label_tag.set("id", f"multiinput-group-label-{response_id}")
                label_tag.set("class", "multi-inputs-group-label")
                group_label = stringify_children(label_tag)
                response.set("multiinput-group-label-id", f"multiinput-group-label-{response_id}")
            description_ids = []
            for index, description in enumerate(response.findall("description")):
                description.tag = "p"
                description.set("id", f"multiinput-group-description-{response_id}-{index}")
                description.set("class", "multi-inputs-group-description question-description")
                description_ids.append(description.get("id"))
            if description_ids:
                response.set("multiinput-group_description_ids", " ".join(description_ids))
            for field in inputfields:
                self.problem_data[field.get("id")] = {
                    "group_label": group_label, "label": field.get("label", ""), "descriptions": {}}
            return
        label = ""
        to_delete = None
        label_tag = response.find("label")
        if label_tag is not None:
            label = stringify_children(label_tag)
            to_delete = label_tag
        elif "label" in inputfields[0].attrib:
            previous = response.xpath("preceding-sibling::*[1][self::p]")
            if previous and previous[0].text == inputfields[0].get("label"):
                label = stringify_children(previous[0])
                to_delete = previous[0]
        else:
            previous = response.xpath("preceding-sibling::*[1][self::label]")
            if previous:
                label = stringify_children(previous[0])
                to_delete = previous[0]
        if inputfields[0].tag in ACCESSIBLE_INPUT_TYPES and to_delete is not None:
            _remove_keeping_tail(to_delete)
        descriptions = {}
        for index, description in enumerate(response.findall("description"), start=1):
            descriptions[f"description_{response_id}_{index}"] = stringify_children(description)
            _remove_keeping_tail(description)
        self.problem_data[inputfields[0].get("id")] = {"label": label.strip(), "descriptions": descriptions}

    # -- grading ---------------------------------------------------------------------------------
    @property
    def answer_ids(self) -> list[str]:
        return [aid for responder in self.responders.values() for aid in responder.answer_ids]

    def grade_answers(self, answers: dict[str, Any]) -> CorrectMap:
        """Grade every response; sets student_answers, correct_map and done (errors propagate)."""
        self.student_answers = dict(answers)
        old_cmap = self.correct_map
        new_cmap = CorrectMap()
        for responder in self.responders.values():
            new_cmap.update(responder.evaluate_answers(self.student_answers, old_cmap))
        self.correct_map = new_cmap
        self.done = True
        return new_cmap

    def get_score(self) -> dict[str, float]:
        return {"score": sum(self.correct_map.get_npoints(aid) for aid in self.correct_map),
                "total": self.get_max_score()}

    calculate_score = get_score

    def get_max_score(self) -> float:
        return sum(responder.max_points() for responder in self.responders.values())

    def is_queued(self) -> bool:
        return any(self.correct_map.is_queued(aid) for aid in self.correct_map)

    def update_score(self, score_msg: str, queuekey: str) -> CorrectMap:
        """Deliver an external grader's reply to the response that queued it."""
        cmap = CorrectMap()
        cmap.update(self.correct_map)
        for responder in self.responders.values():
            if hasattr(responder, "update_score"):
                responder.update_score(score_msg, cmap, queuekey)
        self.correct_map.set_dict(cmap.get_dict())
        return cmap

    def get_question_answers(self) -> dict[str, Any]:
        return get_question_answers(self)

    def get_state(self) -> dict[str, Any]:
        return {
            "seed": self.seed, "student_answers": self.student_answers,
            "correct_map": deepcopy(self.correct_map.get_dict()), "done": self.done,
            "input_state": self.input_state, "has_saved_answers": self.has_saved_answers,
        }

    def get_demand_hints(self) -> list[str]:
        return demand_hints(self.tree)

    def get_html(self) -> str:
        return render(self)

    def response_types(self) -> list[str]:
        return [responder.tag for responder in self.responders.values()]

    @property
    def needs_python(self) -> bool:
        return bool(self.context.get("script_code", "").strip()) or any(
            r.needs_python for r in self.responders.values())


def _remove_keeping_tail(element: etree._Element) -> None:
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)
