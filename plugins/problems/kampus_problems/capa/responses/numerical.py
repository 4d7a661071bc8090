"""Numbers (numericalresponse): tolerance, ranges, complex numbers, partial credit, via openedx-calc."""

from __future__ import annotations

import html
from cmath import isnan
from sys import float_info
from typing import Any

from calc import UndefinedVariable, UnmatchedParenthesis, evaluator
from pyparsing import ParseException

from kampus_problems.capa.correctmap import CorrectMap
from kampus_problems.capa.errors import LoncapaProblemError, StudentInputError
from kampus_problems.capa.responses.base import LoncapaResponse
from kampus_problems.capa.script import contextualize_text
from kampus_problems.capa.tolerance import DEFAULT_TOLERANCE, check_tolerance, compare_with_tolerance

STAFF_ANSWER_ERROR = "There was a problem with the staff answer to this problem."


def staff_number(answer: str) -> complex:
    """A staff answer as a number: Python's complex() first (legacy), else a calc expression."""
    try:
        return complex(answer)
    except ValueError:
        try:
            return evaluator({}, {}, answer)
        except Exception as err:
            raise StudentInputError(STAFF_ANSWER_ERROR) from err


def evaluate_learner_number(answer: Any) -> complex:
    """Evaluate a learner's numeric expression, with upstream's messages for bad input."""
    if not isinstance(answer, str):
        raise StudentInputError(f"Could not interpret '{html.escape(str(answer))}' as a number.")
    general = StudentInputError(f"Could not interpret '{html.escape(answer)}' as a number.")
    try:
        return evaluator({}, {}, answer)
    except (UndefinedVariable, UnmatchedParenthesis) as err:
        raise StudentInputError(err.args[0]) from err
    except ValueError as err:
        if "factorial" in str(err):
            raise StudentInputError(
                f"Factorial function evaluated outside its domain: '{html.escape(answer)}'") from err
        raise general from err
    except ParseException as err:
        raise StudentInputError(f"Invalid math syntax: '{html.escape(answer)}'") from err
    except Exception as err:
        raise general from err


def _staff_float(value: Any, name: str) -> float:
    """A number the problem's author wrote (a tolerance, a partial range); otherwise the problem's error."""
    try:
        return float(value)
    except (TypeError, ValueError) as err:
        raise LoncapaProblemError(f"Error in problem specification! The {name} {value!r} is not a number.") from err


class NumericalResponse(LoncapaResponse):
    """A number or expression compared to ``answer`` with ``<responseparam type="tolerance">``.

    ``answer="[a, b)"`` is a range; ``partial_credit="close"`` gives half credit within
    ``partial_range`` times the tolerance, ``"list"`` half credit for ``partial_answers``.
    """

    tag = "numericalresponse"
    human_name = "Numerical Input"
    hint_tag = "numericalhint"
    allowed_inputfields = ("textline", "formulaequationinput")
    required_attributes = ("answer",)
    max_inputfields = 1

    def setup_response(self) -> None:
        self.correct_answer = ""
        self.tolerance: Any = DEFAULT_TOLERANCE
        self.range_tolerance = False
        self.answer_range: list[str] | None = None
        self.inclusion: tuple[bool, bool] | None = None
        self.additional_answer_index = -1
        answer = self.xml.get("answer")
        self.additional_answers = [e.get("answer") for e in self.xml.findall("additional_answer")]
        if None in self.additional_answers:  # hints index these by position: refuse rather than skip
            raise LoncapaProblemError("Every <additional_answer> of a numerical problem needs an answer attribute.")
        if answer.startswith(("[", "(")) and answer.endswith(("]", ")")):
            self.range_tolerance = True
            self.inclusion = (answer.startswith("["), answer.endswith("]"))
            try:
                self.answer_range = [contextualize_text(x, self.context) for x in answer[1:-1].split(",")]
                self.correct_answer = answer[0] + self.answer_range[0] + ", " + self.answer_range[1] + answer[-1]
            except Exception as err:
                raise StudentInputError(STAFF_ANSWER_ERROR) from err
        else:
            self.correct_answer = contextualize_text(answer, self.context)
            tolerance = self.xml.xpath('//*[@id=$id]//responseparam[@type="tolerance"]/@default', id=self.id)
            if tolerance:
                self.tolerance = contextualize_text(tolerance[0].strip(), self.context)
                check_tolerance(self.tolerance)

    def get_score(self, student_answers: dict[str, Any]) -> CorrectMap:
        if self.answer_id not in student_answers:
            return CorrectMap(self.answer_id, "incorrect")
        if self.has_partial_credit:
            for style in self.credit_type:
                if style not in ("list", "close"):
                    raise LoncapaProblemError("partial_credit attribute should be one of: list,close")
        student = evaluate_learner_number(student_answers[self.answer_id])

        ranges = self.xml.xpath("responseparam[@partial_range]")
        partial_range = _staff_float(ranges[0].get("partial_range", "2"), "partial_range") if ranges else 2
        answers_param = self.xml.xpath("responseparam[@partial_answers]")
        partial_answers: list[complex] = []
        if answers_param:
            partial_answers = [staff_number(w.strip()) for w in answers_param[0].get("partial_answers").split(",")]
        partial_score = 0.5
        correctness = "incorrect"

        if self.range_tolerance:
            correctness = self._grade_range(student, partial_range)
        else:
            correct = staff_number(self.correct_answer)
            expanded: Any = None  # the tolerance widened for "close" partial credit, only read there
            if self.has_partial_credit and "close" in self.credit_type:
                if str(self.tolerance).endswith("%"):
                    expanded = str(partial_range * _staff_float(str(self.tolerance)[:-1], "tolerance")) + "%"
                else:
                    expanded = partial_range * _staff_float(self.tolerance, "tolerance")
            if compare_with_tolerance(student, correct, self.tolerance):
                correctness = "correct"
            elif not self.has_partial_credit:
                pass
            elif "list" in self.credit_type:
                for value in partial_answers:
                    if compare_with_tolerance(student, value, self.tolerance):
                        correctness = "partially-correct"
                        break
                    if "close" in self.credit_type:
                        if compare_with_tolerance(student, correct, expanded):
                            correctness = "partially-correct"
                            break
                        if compare_with_tolerance(student, value, expanded):
                            correctness = "partially-correct"
                            partial_score = partial_score * partial_score
                            break
            elif "close" in self.credit_type and compare_with_tolerance(student, correct, expanded):
                correctness = "partially-correct"

        self.additional_answer_index = -1
        if correctness == "incorrect":
            for index, additional in enumerate(self.additional_answers):
                if complex(student) == staff_number(additional):
                    correctness = "correct"
                    self.additional_answer_index = index
                    break
        if correctness == "partially-correct":
            return CorrectMap(self.answer_id, correctness, npoints=partial_score)
        return CorrectMap(self.answer_id, correctness)

    def _grade_range(self, student: complex, partial_range: float) -> str:
        if isinstance(student, complex):
            raise StudentInputError("You may not use complex numbers in range tolerance problems")
        boundaries = []
        for inclusive, answer in zip(self.inclusion, self.answer_range, strict=False):
            boundary = staff_number(answer)
            if boundary.imag != 0:
                raise StudentInputError(
                    "There was a problem with the staff answer to this problem: complex boundary.")
            if isnan(boundary):
                raise StudentInputError("There was a problem with the staff answer to this problem: empty boundary.")
            boundaries.append(boundary.real)
            if compare_with_tolerance(student, boundary, tolerance=float_info.epsilon, relative_tolerance=True):
                return "correct" if inclusive else "incorrect"
        if boundaries[0] < student < boundaries[1]:
            return "correct"
        if self.has_partial_credit and "close" in self.credit_type:
            width = boundaries[1] - boundaries[0]
            if boundaries[0] - partial_range * width < student < boundaries[1] + partial_range * width:
                return "partially-correct"
        return "incorrect"

    def compare_answer(self, first: str, second: str) -> bool:
        return compare_with_tolerance(evaluator({}, {}, first), evaluator({}, {}, second), self.tolerance)

    def validate_answer(self, answer: str) -> bool:
        try:
            evaluator({}, {}, answer)
            return True
        except Exception:
            return False

    def get_answers(self) -> dict[str, Any]:
        return {self.answer_id: " <b>or</b> ".join([self.correct_answer] + self.additional_answers)}
