"""Expected answers for "Show Answer": every response's answers plus the ``<solution>`` explanations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lxml import etree

from kampus_problems.capa.script import contextualize_text

if TYPE_CHECKING:
    from kampus_problems.capa.problem import LoncapaProblem


def get_question_answers(problem: LoncapaProblem) -> dict[str, Any]:
    """{input id: expected answer} and {solution id: solution markup}, as upstream's get_question_answers."""
    answer_map: dict[str, Any] = {}
    for responder in problem.responders.values():
        answer_map.update(responder.get_answers())
    for solution in problem.tree.iter("solution"):
        markup = etree.tostring(solution, encoding="unicode", with_tail=False)
        if markup:
            answer_map[solution.get("id")] = contextualize_text(markup, problem.context)
    return answer_map
