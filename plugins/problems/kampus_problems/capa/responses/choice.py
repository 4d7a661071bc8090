"""Choice questions: checkboxes (choiceresponse), radio buttons (multiplechoiceresponse), true/false."""

from __future__ import annotations

import math
from typing import Any

from kampus_problems.capa.correctmap import CorrectMap
from kampus_problems.capa.errors import LoncapaProblemError, StudentInputError
from kampus_problems.capa.py2random import Py2Random
from kampus_problems.capa.responses.base import LoncapaResponse
from kampus_problems.capa.script import contextualize_text


def round_away_from_zero(number: float, digits: int = 0) -> float:
    """Round halves away from zero (upstream keeps Python 2's rounding so grades do not change)."""
    scale = 10.0 ** digits
    if number >= 0:
        return float(math.floor(number * scale + 0.5)) / scale
    return float(math.ceil(number * scale - 0.5)) / scale


def _correct_attr(choice: Any, context: dict[str, Any]) -> str:
    return contextualize_text(choice.get("correct") or "", context)


def check_choice_names(chosen: list[Any]) -> None:
    """Selected choices are named by text; anything else (an object a client sent) is not an answer."""
    if not all(isinstance(name, str) for name in chosen):
        raise StudentInputError("Select choices by their names.")


def _point_value(value: str) -> float:
    """A partial-credit ``point_value``: a number from 0 to 1 (Open edX's rule), or the problem's error."""
    try:
        points = float(value)
    except ValueError:
        points = math.nan
    if not 0 <= points <= 1:  # also refuses nan: a score must stay a number between 0 and the maximum
        raise LoncapaProblemError(f"Error in problem specification! point_value {value!r} is not between 0 and 1.")
    return points


class ChoiceResponse(LoncapaResponse):
    """Checkboxes (or a radiogroup): all correct choices and no other; partial credit EDC or halves."""

    tag = "choiceresponse"
    human_name = "Checkboxes"
    max_inputfields = 1
    allowed_inputfields = ("checkboxgroup", "radiogroup")

    def get_choices(self) -> list[Any]:
        return self.xml.xpath("//*[@id=$id]//choice", id=self.xml.get("id"))

    def setup_response(self) -> None:
        for index, choice in enumerate(self.get_choices()):
            choice.set("name", f"choice_{index}")
            if not choice.get("id"):
                choice.set("id", chr(ord("A") + index))
        self.correct_choices: set[str] = set()
        self.incorrect_choices: set[str] = set()
        for choice in self.get_choices():
            name = contextualize_text(choice.get("name"), self.context)
            correct = _correct_attr(choice, self.context).upper()
            if correct == "TRUE":
                self.correct_choices.add(name)
            elif correct == "FALSE":
                self.incorrect_choices.add(name)

    def get_score(self, student_answers: dict[str, Any]) -> CorrectMap:
        all_choices = self.correct_choices | self.incorrect_choices
        answer = student_answers.get(self.answer_id, [])
        if not isinstance(answer, list):
            answer = [answer]
        if answer == []:
            return CorrectMap(self.answer_id, "incorrect")
        check_choice_names(answer)
        chosen = set(answer)
        not_chosen = all_choices - chosen
        if not self.has_partial_credit:
            return self._all_or_nothing(chosen)
        graders = {"edc": self._every_decision_counts, "halves": self._halves, "false": None}
        if len(self.credit_type) > 1:
            raise LoncapaProblemError("Only one type of partial credit is allowed for Checkbox problems.")
        if self.credit_type[0] not in graders:
            raise LoncapaProblemError("partial_credit attribute should be one of: " + ",".join(graders))
        grader = graders[self.credit_type[0]]
        if grader is None:
            return self._all_or_nothing(chosen)
        return grader(all_choices, chosen, not_chosen)

    def _all_or_nothing(self, chosen: set[str]) -> CorrectMap:
        correct = not (self.correct_choices - chosen) and not (chosen - self.correct_choices)
        return CorrectMap(self.answer_id, "correct" if correct else "incorrect")

    def _every_decision_counts(self, all_choices: set[str], chosen: set[str], not_chosen: set[str]) -> CorrectMap:
        maximum = len(all_choices)
        good = sum(1 for c in chosen if c in self.correct_choices) + sum(
            1 for c in not_chosen if c in self.incorrect_choices)
        grade = round_away_from_zero(self.max_points() * float(good) / float(maximum), 2)
        if good == maximum:
            return CorrectMap(self.answer_id, correctness="correct")
        if good > 0:
            return CorrectMap(self.answer_id, correctness="partially-correct", npoints=grade)
        return CorrectMap(self.answer_id, correctness="incorrect", npoints=0)

    def _halves(self, all_choices: set[str], chosen: set[str], not_chosen: set[str]) -> CorrectMap:
        errors = sum(1 for c in chosen if c in self.incorrect_choices) + sum(
            1 for c in not_chosen if c in self.correct_choices)
        if errors == 0:
            return CorrectMap(self.answer_id, correctness="correct", npoints=self.max_points())
        if errors == 1 and len(all_choices) > 2:
            return CorrectMap(self.answer_id, correctness="partially-correct",
                              npoints=round_away_from_zero(self.max_points() / 2.0, 2))
        if errors == 2 and len(all_choices) > 4:
            return CorrectMap(self.answer_id, correctness="partially-correct",
                              npoints=round_away_from_zero(self.max_points() / 4.0, 2))
        return CorrectMap(self.answer_id, "incorrect")

    def get_answers(self) -> dict[str, Any]:
        return {self.answer_id: sorted(self.correct_choices)}


class MultipleChoiceResponse(LoncapaResponse):
    """Radio buttons; ``shuffle``, ``answer-pool``, fixed choices and ``partial_credit="points"``."""

    tag = "multiplechoiceresponse"
    human_name = "Multiple Choice"
    max_inputfields = 1
    allowed_inputfields = ("choicegroup",)

    def setup_response(self) -> None:
        self.name_choices()
        choices = self.xml.xpath("//*[@id=$id]//choice", id=self.xml.get("id"))
        self.correct_choices = [
            contextualize_text(c.get("name"), self.context) for c in choices
            if _correct_attr(c, self.context).upper() == "TRUE"
        ]
        self.partial_choices: list[str] = []
        self.partial_values: list[float] = []
        if self.has_partial_credit:
            for choice in choices:
                if _correct_attr(choice, self.context).lower() == "partial":
                    self.partial_choices.append(contextualize_text(choice.get("name"), self.context))
                    self.partial_values.append(_point_value(choice.get("point_value", "0.5")))

    def name_choices(self) -> None:
        index = 0
        for group in self.xml.xpath("choicegroup"):
            if group.get("type") != "MultipleChoice":
                group.set("type", "MultipleChoice")
            for choice in list(group):
                if not isinstance(choice.tag, str):
                    continue
                if choice.get("name") is not None:
                    name = "choice_" + choice.get("name")
                else:
                    name = f"choice_{index}"
                    index += 1
                choice.set("name", name)

    def late_transforms(self, problem: Any) -> None:
        self.do_shuffle(problem)
        self.do_answer_pool(problem)

    def get_score(self, student_answers: dict[str, Any]) -> CorrectMap:
        if not self.has_partial_credit:
            return self._without_partial_credit(student_answers)
        graders = {"points": self._via_points, "false": self._without_partial_credit}
        if len(self.credit_type) > 1:
            raise LoncapaProblemError("Only one type of partial credit is allowed for Multiple Choice problems.")
        if self.credit_type[0] not in graders:
            raise LoncapaProblemError("partial_credit attribute should be one of: " + ",".join(graders))
        return graders[self.credit_type[0]](student_answers)

    def _answer(self, student_answers: dict[str, Any]) -> Any:
        return student_answers.get(self.answer_id, _MISSING)

    def _without_partial_credit(self, student_answers: dict[str, Any]) -> CorrectMap:
        answer = self._answer(student_answers)
        if answer is not _MISSING and _is_in(answer, self.correct_choices):
            return CorrectMap(self.answer_id, correctness="correct")
        return CorrectMap(self.answer_id, "incorrect")

    def _via_points(self, student_answers: dict[str, Any]) -> CorrectMap:
        answer = self._answer(student_answers)
        if answer is not _MISSING and _is_in(answer, self.correct_choices):
            return CorrectMap(self.answer_id, correctness="correct")
        if answer is not _MISSING and _is_in(answer, self.partial_choices):
            credit = self.partial_values[self.partial_choices.index(answer)]
            return CorrectMap(self.answer_id, correctness="partially-correct", npoints=credit)
        return CorrectMap(self.answer_id, "incorrect")

    def get_answers(self) -> dict[str, Any]:
        return {self.answer_id: self.correct_choices}

    def unmask_order(self) -> list[str]:
        return [choice.get("name") for choice in self.xml.xpath("choicegroup/choice")]

    # -- shuffle and answer pool (use the problem's shared, seeded rng) ---------------------------
    def get_rng(self, problem: Any) -> Py2Random:
        if getattr(problem, "_shared_rng", None) is None:
            problem._shared_rng = Py2Random(self.context["seed"])
        return problem._shared_rng

    def do_shuffle(self, problem: Any) -> None:
        groups = self.xml.xpath('choicegroup[@shuffle="true"]')
        if not groups:
            return
        group = groups[0]
        if group.get("answer-pool") is not None:
            raise LoncapaProblemError("Do not use shuffle and answer-pool at the same time")
        if getattr(self, "_has_shuffle", False):
            return
        self._has_shuffle = True
        ordering = list(group)
        for choice in ordering:
            group.remove(choice)
        head: list[Any] = []
        middle: list[Any] = []
        tail: list[Any] = []
        at_head = True
        for choice in ordering:
            if at_head and choice.get("fixed") == "true":
                head.append(choice)
                continue
            at_head = False
            (tail if choice.get("fixed") == "true" else middle).append(choice)
        self.get_rng(problem).shuffle(middle)
        for choice in head + middle + tail:
            group.append(choice)

    def do_answer_pool(self, problem: Any) -> None:
        groups = self.xml.xpath("choicegroup[@answer-pool]")
        if not groups:
            return
        group = groups[0]
        size = group.get("answer-pool")
        if size == "0":
            return
        try:
            num_choices = int(size)
        except ValueError as err:
            raise LoncapaProblemError("answer-pool value should be an integer") from err
        if getattr(self, "_has_answerpool", False):
            return
        self._has_answerpool = True
        choices = list(group)
        for choice in choices:
            group.remove(choice)
        solution_id, subset = self._sample_answer_pool(choices, self.get_rng(problem), num_choices)
        for choice in subset:
            group.append(choice)
        solutionsets = group.xpath("../following-sibling::solutionset")
        if solutionsets:
            for solution in solutionsets[0].xpath("./solution"):
                if solution.get("explanation-id") != solution_id:
                    solutionsets[0].remove(solution)

    @staticmethod
    def _sample_answer_pool(choices: list[Any], rng: Py2Random, size: int) -> tuple[str | None, list[Any]]:
        correct = [c for c in choices if (c.get("correct") or "").upper() == "TRUE"]
        incorrect = [c for c in choices if (c.get("correct") or "").upper() != "TRUE"]
        if not correct or not incorrect:
            raise LoncapaProblemError("Choicegroup must include at least 1 correct and 1 incorrect choice")
        num_incorrect = min(size - 1, len(incorrect))
        chosen = correct[rng.randint(0, len(correct) - 1)]
        subset = [chosen]
        rng.shuffle(incorrect)
        subset += incorrect[:num_incorrect]
        rng.shuffle(subset)
        return chosen.get("explanation-id"), subset


_MISSING = object()


def _is_in(answer: Any, names: list[str]) -> bool:
    try:
        return answer in names
    except TypeError:
        return False


class TrueFalseResponse(MultipleChoiceResponse):
    """A legacy true/false set: the selected choices must be exactly the correct ones."""

    tag = "truefalseresponse"
    human_name = "True/False Choice"

    def name_choices(self) -> None:
        index = 0
        for group in self.xml.xpath("choicegroup"):
            group.set("type", "TrueFalse")
            for choice in list(group):
                if not isinstance(choice.tag, str):
                    continue
                if choice.get("name") is None:
                    choice.set("name", f"choice_{index}")
                    index += 1
                else:
                    choice.set("name", "choice_" + choice.get("name"))

    def get_score(self, student_answers: dict[str, Any]) -> CorrectMap:
        answers = student_answers.get(self.answer_id, [])
        if not isinstance(answers, list):
            answers = [answers]
        check_choice_names(answers)
        if set(self.correct_choices) == set(answers):
            return CorrectMap(self.answer_id, "correct")
        return CorrectMap(self.answer_id, "incorrect")
