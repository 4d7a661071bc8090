"""The base of every response type (upstream's LoncapaResponse)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lxml import etree

from kampus_problems.capa.correctmap import CorrectMap
from kampus_problems.capa.errors import LoncapaProblemError
from kampus_problems.capa.hints import add_hints
from kampus_problems.capa.script import contextualize_text

if TYPE_CHECKING:
    from kampus_problems.capa.problem import LoncapaProblem


class LoncapaResponse:
    """One question of a problem: grades its inputs' answers and knows the expected answers.

    Subclasses set ``tag``, ``allowed_inputfields``, optionally ``max_inputfields`` and
    ``required_attributes``, and implement ``setup_response``, ``get_score`` and ``get_answers``.
    """

    tag = ""
    human_name = ""
    hint_tag: str | None = None
    allowed_inputfields: tuple[str, ...] = ()
    max_inputfields: int | None = None
    required_attributes: tuple[str, ...] = ()
    needs_python = False

    def __init__(self, xml: etree._Element, inputfields: list[etree._Element], problem: LoncapaProblem):
        self.xml = xml
        self.inputfields = inputfields
        self.problem = problem
        self.context = problem.context
        self.id = xml.get("id")
        where = f"\nSee XML source line {getattr(xml, 'sourceline', '[unavailable]')}"
        for field in inputfields:
            if field.tag not in self.allowed_inputfields:
                raise LoncapaProblemError(f"{self}: cannot have input field {field.tag}{where}")
        if self.max_inputfields and len(inputfields) > self.max_inputfields:
            raise LoncapaProblemError(f"{self}: cannot have more than {self.max_inputfields} input fields{where}")
        for attribute in self.required_attributes:
            if not xml.get(attribute):
                raise LoncapaProblemError(
                    f"Error in problem specification: {self} missing required attribute {attribute}{where}")
        self.answer_ids = [field.get("id") for field in inputfields]
        if self.max_inputfields == 1:
            self.answer_id = self.answer_ids[0] if self.answer_ids else None
        self.maxpoints: dict[str, float] = {}
        for field in inputfields:
            try:
                self.maxpoints[field.get("id")] = int(field.get("points", "1"))
            except ValueError as err:
                raise LoncapaProblemError(f"{self}: points must be an integer{where}") from err
        self.default_answer_map = {
            field.get("id"): contextualize_text(field.get("correct_answer"), self.context)
            for field in inputfields if field.get("correct_answer")
        }
        partial_credit = xml.get("partial_credit", "false")
        if str(partial_credit).lower().strip() == "false":
            self.has_partial_credit = False
            self.credit_type: list[str] = []
        else:
            self.has_partial_credit = True
            self.credit_type = [word.strip().lower() for word in partial_credit.split(",")]
        self.setup_response()

    def __str__(self) -> str:
        return f"LoncapaProblem Response {self.xml.tag}"

    # -- to implement -------------------------------------------------------------------------
    def setup_response(self) -> None:
        """Read the response's XML (called once, from __init__)."""

    def get_score(self, student_answers: dict[str, Any]) -> CorrectMap:
        raise NotImplementedError

    def get_answers(self) -> dict[str, Any]:
        raise NotImplementedError

    # -- shared -------------------------------------------------------------------------------
    def max_points(self) -> float:
        return sum(self.maxpoints.values())

    get_max_score = max_points

    def evaluate_answers(self, student_answers: dict[str, Any], old_cmap: CorrectMap) -> CorrectMap:
        """Grade, then add hints and feedback (upstream's evaluate_answers)."""
        new_cmap = self.get_score(student_answers)
        add_hints(self, student_answers, new_cmap, old_cmap)
        return new_cmap

    def get_extended_hints(self, student_answers: dict[str, Any], new_cmap: CorrectMap) -> None:
        """Install per-answer feedback (choicehint, optionhint, ...) in new_cmap; per type, in hints.py."""

    def check_hint_condition(self, hint_elements: list[etree._Element], student_answers: dict[str, Any]) -> list[str]:
        """Names of the legacy ``<hintgroup>`` conditions the answers satisfy."""
        return []

    def get_initial_display(self) -> dict[str, Any]:
        return {}

    def sandbox_slug(self) -> str:
        return self.id or ""
