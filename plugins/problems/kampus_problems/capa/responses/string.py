"""Text input (stringresponse): exact, case-insensitive or regular-expression matching."""

from __future__ import annotations

import re
from typing import Any

from kampus_problems.capa.correctmap import CorrectMap
from kampus_problems.capa.errors import ResponseError
from kampus_problems.capa.responses.base import LoncapaResponse
from kampus_problems.capa.script import contextualize_text


class StringResponse(LoncapaResponse):
    """Matches the answer against ``answer`` and every ``<additional_answer answer=...>``.

    ``type`` may hold ``ci`` (case-insensitive) and ``regexp``; the legacy ``a_or_b`` form is kept.
    """

    tag = "stringresponse"
    human_name = "Text Input"
    hint_tag = "stringhint"
    allowed_inputfields = ("textline",)
    required_attributes = ("answer",)
    max_inputfields = 1

    def setup_response(self) -> None:
        answer = self.xml.get("answer")
        self.backward = "_or_" in answer.lower()
        types = (self.xml.get("type") or "").lower().split(" ")
        self.regexp = "regexp" in types
        self.case_insensitive = "ci" in types
        if self.backward:
            self.correct_answer = [contextualize_text(a, self.context).strip() for a in answer.split("_or_")]
            return
        answers = [answer] + [e.get("answer") for e in self.xml.findall("additional_answer")]
        self.correct_answer = [contextualize_text(a, self.context).strip() for a in answers if a is not None]

    def get_score(self, student_answers: dict[str, Any]) -> CorrectMap:
        if self.answer_id not in student_answers:
            correct = False
        else:
            given = student_answers[self.answer_id]
            correct = self.check_string(self.correct_answer, given.strip() if isinstance(given, str) else given)
        return CorrectMap(self.answer_id, "correct" if correct else "incorrect")

    def check_string(self, expected: list[str], given: Any) -> bool:
        if not given:
            return False
        if not isinstance(given, str):
            given = str(given)
        if self.backward:
            if self.case_insensitive:
                return given.lower() in [e.lower() for e in expected]
            return given in expected
        if self.regexp:
            flags = re.IGNORECASE if self.case_insensitive else 0
            try:
                pattern = re.compile("^" + "|".join(expected) + "$", flags=flags | re.UNICODE)
            except re.error as err:
                raise ResponseError(f"[courseware.capa.responsetypes.stringresponse] error: {err}") from err
            return bool(pattern.search(given))
        if self.case_insensitive:
            return given.lower() in [e.lower() for e in expected]
        return given in expected

    def match_hint_node(self, node: Any, given: str, regex_mode: bool, ci_mode: bool) -> bool:
        answer = (node.get("answer") or "").strip()
        if not answer:
            return False
        if regex_mode:
            flags = re.IGNORECASE if ci_mode else 0
            try:
                return bool(re.search("^" + answer + "$", given, flags=flags | re.UNICODE))
            except re.error:
                return False
        return answer.lower() == given.lower() if ci_mode else answer == given

    def check_hint_condition(self, hint_elements: list[Any], student_answers: dict[str, Any]) -> list[str]:
        given = str(student_answers.get(self.answer_id, "")).strip()
        return [h.get("name") for h in hint_elements
                if self.check_string([contextualize_text(h.get("answer") or "", self.context).strip()], given)]

    def get_answers(self) -> dict[str, Any]:
        return {self.answer_id: " <b>or</b> ".join(self.correct_answer)}
