"""Circuit schematics (schematicresponse): graded by the author's ``<answer>`` code in the sandbox."""

from __future__ import annotations

import json
from typing import Any

from kampus.drivers.sandbox import SandboxError
from kampus_problems.capa.correctmap import CorrectMap
from kampus_problems.capa.errors import LoncapaProblemError, ResponseError, StudentInputError
from kampus_problems.capa.responses.base import LoncapaResponse
from kampus_problems.capa.script import run_sandboxed


class SchematicResponse(LoncapaResponse):
    """The answer code reads ``submission`` (the decoded schematics) and sets ``correct``."""

    tag = "schematicresponse"
    human_name = "Circuit Schematic Builder"
    needs_python = True
    allowed_inputfields = ("schematic",)

    def setup_response(self) -> None:
        answers = self.xml.xpath("//*[@id=$id]//answer", id=self.xml.get("id"))
        if not answers:
            raise LoncapaProblemError(f"{self}: missing <answer> code")
        self.code = answers[0].text or ""

    def get_score(self, student_answers: dict[str, Any]) -> CorrectMap:
        ids = sorted(self.answer_ids)
        try:
            submission = [json.loads(student_answers[k]) for k in ids]
        except (KeyError, TypeError, ValueError) as err:
            raise StudentInputError("Could not read the submitted schematic.") from err
        globals_dict = dict(self.context)
        globals_dict["submission"] = submission
        try:
            run_sandboxed(self.problem.sandbox, self.code, globals_dict, seed=self.context["seed"],
                          slug=self.sandbox_slug(), extra_files=self.problem.extra_files)
        except SandboxError as err:
            raise ResponseError(f"Error in evaluating SchematicResponse. The error was: {err}") from err
        cmap = CorrectMap()
        cmap.set_dict(dict(zip(ids, globals_dict.get("correct") or [], strict=False)))
        return cmap

    def get_answers(self) -> dict[str, Any]:
        return self.default_answer_map
