"""Annotations (annotationresponse): the tag option chosen is graded; the comment is not."""

from __future__ import annotations

import json
from typing import Any

from kampus_problems.capa.correctmap import CorrectMap
from kampus_problems.capa.responses.base import LoncapaResponse

DEFAULT_SCORING = {"incorrect": 0, "partially-correct": 1, "correct": 2}


class AnnotationResponse(LoncapaResponse):
    """Options are marked ``choice="correct|partially-correct|incorrect"`` worth 2/1/0 points."""

    tag = "annotationresponse"
    human_name = "Annotation Input"
    allowed_inputfields = ("annotationinput",)
    max_inputfields = 1

    def setup_response(self) -> None:
        self.scoring_map = {}
        self.answer_map = {}
        for field in self.inputfields:
            options = self._options(field)
            self.scoring_map[field.get("id")] = {
                o["id"]: {"correctness": o["choice"] if o["choice"] in DEFAULT_SCORING else None,
                          "points": DEFAULT_SCORING.get(o["choice"])}
                for o in options
            }
            # upstream only looks at the first option here (its loop returns early)
            if options and options[0]["choice"] == "correct":
                self.answer_map[field.get("id")] = options[0]["description"]
        self.maxpoints = {field.get("id"): DEFAULT_SCORING["correct"] for field in self.inputfields}

    @staticmethod
    def _options(field: Any) -> list[dict[str, Any]]:
        return [{"id": i, "description": o.text, "choice": o.get("choice")}
                for i, o in enumerate(field.findall("./options/option"))]

    def get_score(self, student_answers: dict[str, Any]) -> CorrectMap:
        option = self._submitted_option(student_answers.get(self.answer_id))
        scoring = self.scoring_map[self.answer_id]
        if option is not None and _hashable(option) and option in scoring:
            return CorrectMap(self.answer_id, correctness=scoring[option]["correctness"],
                              npoints=scoring[option]["points"])
        return CorrectMap(self.answer_id, correctness="incorrect", npoints=None)

    @staticmethod
    def _submitted_option(answer: Any) -> Any:
        try:
            value = json.loads(answer) if isinstance(answer, str) else answer
        except ValueError:
            return None
        if not isinstance(value, dict):
            value = {}
        options = value.get("options", [])
        if not isinstance(options, list):
            options = []
        return options[0] if len(options) == 1 else None

    def get_answers(self) -> dict[str, Any]:
        return self.answer_map


def _hashable(value: Any) -> bool:
    try:
        hash(value)
        return True
    except TypeError:
        return False
