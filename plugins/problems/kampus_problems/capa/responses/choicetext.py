"""Choices with embedded number inputs (choicetextresponse: radiotextgroup / checkboxtextgroup)."""

from __future__ import annotations

import html
from typing import Any

from calc import evaluator

from kampus_problems.capa.correctmap import CorrectMap
from kampus_problems.capa.errors import LoncapaProblemError, StudentInputError
from kampus_problems.capa.responses.base import LoncapaResponse
from kampus_problems.capa.script import contextualize_text
from kampus_problems.capa.tolerance import DEFAULT_TOLERANCE, compare_with_tolerance


class ChoiceTextResponse(LoncapaResponse):
    """Correct when exactly the correct choices are selected and their number inputs are in tolerance.

    The answer of the input is a dict of sub-inputs: ``<id>_choiceinput_<n>bc`` for selected choices,
    ``<id>_choiceinput_<n>_numtolerance_input_<k>`` for the numbers.
    """

    tag = "choicetextresponse"
    human_name = "Checkboxes With Text Input"
    max_inputfields = 1
    allowed_inputfields = ("choicetextgroup", "checkboxtextgroup", "radiotextgroup")

    def setup_response(self) -> None:
        self.correct_inputs: dict[str, dict[str, str]] = {}
        self.answer_values: dict[str, Any] = {self.answer_id: []}
        self.assign_choice_names()
        correct_choices = []
        for node in self.xml.xpath('//*[@id=$id]//choice[@correct="true"]', id=self.xml.get("id")):
            parent_name = node.get("name")
            correct_choices.append(parent_name)
            self.answer_values[self.answer_id].append(parent_name)
            answers = []
            for child in node:
                if not isinstance(child.tag, str):
                    continue
                answer = child.get("answer")
                if not answer:
                    raise LoncapaProblemError("Answer not provided for numtolerance_input")
                answer = contextualize_text(answer, self.context)
                tolerance = contextualize_text(child.get("tolerance", DEFAULT_TOLERANCE), self.context)
                self.correct_inputs[child.get("name")] = {"answer": answer, "tolerance": tolerance}
                answers.append(answer)
            self.answer_values[parent_name] = ", ".join(answers)
        self.correct_choices = set(correct_choices)

    def assign_choice_names(self) -> None:
        for index, choice in enumerate(self.xml.xpath("//*[@id=$id]//choice", id=self.xml.get("id"))):
            choice.set("name", f"{self.answer_id}_choiceinput_{index}bc")
            inputs = choice.findall("numtolerance_input") or choice.findall("decoy_input")
            for ind, child in enumerate(inputs):
                child.set("name", f"{self.answer_id}_choiceinput_{index}_numtolerance_input_{ind}")

    def get_score(self, student_answers: dict[str, Any]) -> CorrectMap:
        answer = student_answers.get(self.answer_id, "")
        if not isinstance(answer, dict):
            answer = {}
        selected = [key for key in answer if key.endswith("bc")]
        numbers = {key: answer[key] for key in answer
                   if key.partition("_numtolerance_input_")[0] + "bc" in selected}
        student_choices = set(selected)
        choices_correct = not (self.correct_choices - student_choices) and not (student_choices - self.correct_choices)
        inputs_correct = self._check_inputs(numbers)
        return CorrectMap(self.answer_id, "correct" if choices_correct and inputs_correct else "incorrect")

    def _check_inputs(self, numbers: dict[str, Any]) -> bool:
        all_correct = True
        for name, value in numbers.items():
            params = self.correct_inputs.get(name, {"answer": 0})
            tolerance = params.get("tolerance", DEFAULT_TOLERANCE)
            try:
                correct = complex(params["answer"])
            except ValueError as err:
                raise StudentInputError("The Staff answer could not be interpreted as a number.") from err
            try:
                ok = compare_with_tolerance(evaluator({}, {}, value), correct, tolerance)
            except Exception as err:
                raise StudentInputError(f"Could not interpret '{html.escape(str(value))}' as a number.") from err
            if name in self.correct_inputs and not ok:
                all_correct = False
        return all_correct

    def get_answers(self) -> dict[str, Any]:
        return self.answer_values
