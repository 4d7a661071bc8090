"""Dropdowns (optionresponse with optioninput)."""

from __future__ import annotations

from typing import Any

from kampus_problems.capa.correctmap import CorrectMap
from kampus_problems.capa.responses.base import LoncapaResponse
from kampus_problems.capa.script import contextualize_text


class OptionResponse(LoncapaResponse):
    """Each optioninput is correct when its answer equals its (contextualised) ``correct`` attribute."""

    tag = "optionresponse"
    human_name = "Dropdown"
    hint_tag = "optionhint"
    allowed_inputfields = ("optioninput",)

    def get_score(self, student_answers: dict[str, Any]) -> CorrectMap:
        cmap = CorrectMap()
        for aid, expected in self.get_answers().items():
            if aid in student_answers and student_answers[aid] == expected:
                cmap.set(aid, "correct")
            else:
                cmap.set(aid, "incorrect")
            variable = self._answer_variable(student_answers, aid)
            if variable:
                cmap.set_property(aid, "answervariable", variable)
        return cmap

    def get_answers(self) -> dict[str, Any]:
        return {field.get("id"): contextualize_text(field.get("correct"), self.context) for field in self.inputfields}

    def _answer_variable(self, student_answers: dict[str, Any], aid: str) -> str | None:
        """``$name`` of the script variable whose value the learner chose, if any."""
        if aid in student_answers:
            for key, value in self.context.items():
                if str(value) == student_answers[aid]:
                    return "$" + key
        return None
