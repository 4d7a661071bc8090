"""Math expressions (formularesponse): checked by evaluating both formulas at random sample points."""

from __future__ import annotations

import html
from typing import Any

from calc import UndefinedVariable, UnmatchedParenthesis, evaluator

from kampus_problems.capa.correctmap import CorrectMap
from kampus_problems.capa.errors import LoncapaProblemError, StudentInputError
from kampus_problems.capa.py2random import Py2Random
from kampus_problems.capa.responses.base import LoncapaResponse
from kampus_problems.capa.script import contextualize_text
from kampus_problems.capa.tolerance import DEFAULT_TOLERANCE, check_tolerance, compare_with_tolerance


def parse_samples(samples: str) -> tuple[list[str], dict[str, tuple[float, float]], int]:
    """``"x,y@1,2:5,6#10"`` -> variables, {var: (low, high)}, number of samples."""
    variables_part, rest = samples.split("@", 1)
    variables = variables_part.split(",")
    ranges_part, count = rest.split("#", 1)
    bounds = list(zip(*[[float(v) for v in bound.split(",")] for bound in ranges_part.split(":")], strict=False))
    return variables, dict(zip(variables, bounds, strict=False)), int(count)


def _check_samples(samples: str) -> None:
    """Refuse, when the problem loads, a ``samples`` attribute that :func:`parse_samples` cannot use."""
    try:
        _variables, ranges, count = parse_samples(samples)
    except (ValueError, IndexError) as err:
        raise LoncapaProblemError(f"Error in problem specification! Cannot parse samples {samples!r}.") from err
    if count < 0 or any(len(bounds) != 2 for bounds in ranges.values()):
        raise LoncapaProblemError(f"Error in problem specification! Cannot parse samples {samples!r}.")


class FormulaResponse(LoncapaResponse):
    """Correct when the learner's formula equals ``answer`` (within tolerance) at every sample point."""

    tag = "formularesponse"
    human_name = "Math Expression Input"
    hint_tag = "formulahint"
    allowed_inputfields = ("textline", "formulaequationinput")
    required_attributes = ("answer", "samples")
    max_inputfields = 1

    def setup_response(self) -> None:
        self.correct_answer = contextualize_text(self.xml.get("answer"), self.context)
        self.samples = contextualize_text(self.xml.get("samples"), self.context)
        _check_samples(self.samples)
        self.tolerance: Any = DEFAULT_TOLERANCE
        tolerance = self.xml.xpath('//*[@id=$id]//responseparam[@type="tolerance"]/@default', id=self.id)
        if tolerance:
            self.tolerance = contextualize_text(tolerance[0].strip(), self.context)
            check_tolerance(self.tolerance)
        types = (self.xml.get("type") or "").split(",")
        self.case_sensitive = "cs" in types and "ci" not in types
        self._rng = Py2Random(self.context.get("seed", 0))

    def get_score(self, student_answers: dict[str, Any]) -> CorrectMap:
        given = student_answers.get(self.answer_id, "")
        return CorrectMap(self.answer_id, self.check_formula(self.correct_answer, given, self.samples))

    def randomize_variables(self, samples: str) -> list[dict[str, float]]:
        _variables, ranges, count = parse_samples(samples)
        return [{str(var): self._rng.uniform(*bounds) for var, bounds in ranges.items()} for _ in range(count)]

    def tupleize_answers(self, answer: str, var_dict_list: list[dict[str, float]]) -> list[complex]:
        out = []
        for var_dict in var_dict_list:
            try:
                out.append(evaluator(var_dict, {}, answer, case_sensitive=self.case_sensitive))
            except (UndefinedVariable, UnmatchedParenthesis) as err:
                raise StudentInputError(err.args[0]) from err
            except ValueError as err:
                if "factorial" in str(err):
                    raise StudentInputError(
                        "Factorial function not permitted in answer for this problem. "
                        f"Provided answer was: {html.escape(answer)}") from err
                message = f"Invalid input: Could not parse '{html.escape(answer)}' as a formula."
                raise StudentInputError(message) from err
            except Exception as err:
                raise StudentInputError(f"Invalid input: Could not parse '{html.escape(answer)}' as a formula") from err
        return out

    def check_formula(self, expected: str, given: Any, samples: str) -> str:
        if not isinstance(given, str):
            given = str(given)
        var_dict_list = self.randomize_variables(samples)
        student = self.tupleize_answers(given, var_dict_list)
        instructor = self.tupleize_answers(expected, var_dict_list)
        correct = all(compare_with_tolerance(s, i, self.tolerance) for s, i in zip(student, instructor, strict=False))
        return "correct" if correct else "incorrect"

    def compare_answer(self, first: str, second: str) -> bool:
        return self.check_formula(first, second, self.samples) == "correct"

    def validate_answer(self, answer: str) -> bool:
        try:
            self.tupleize_answers(answer, self.randomize_variables(self.samples))
            return True
        except StudentInputError:
            return False

    def check_hint_condition(self, hint_elements: list[Any], student_answers: dict[str, Any]) -> list[str]:
        given = student_answers.get(self.answer_id, "")
        shown = []
        for hint in hint_elements:
            try:
                answer = contextualize_text(hint.get("answer"), self.context)
                correctness = self.check_formula(answer, given, hint.get("samples"))
            except Exception:
                correctness = "incorrect"
            if correctness == "correct":
                shown.append(hint.get("name"))
        return shown

    def get_answers(self) -> dict[str, Any]:
        return {self.answer_id: self.correct_answer}
