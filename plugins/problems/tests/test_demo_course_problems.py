"""The problems of Kampus's own demo course grade as their authors meant."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kampus_content.demo import DEMO_COURSE_FOLDER
from kampus_problems.capa.problem import LoncapaProblem

from kampus.drivers.sandbox import get_sandbox

ANSWERS = {
    "habits_choice": ({"1_2_1": "choice_1"}, {"1_2_1": "choice_0"}),
    "outline_parts": ({"1_2_1": ["choice_0", "choice_1", "choice_2"]}, {"1_2_1": ["choice_0", "choice_3"]}),
    "units_count": ({"1_2_1": "4*3"}, {"1_2_1": "7"}),
    "smallest_part": ({"1_2_1": "A Unit"}, {"1_2_1": "section"}),
    "even_number": ({"1_2_1": "14"}, {"1_2_1": "13"}),
}


@pytest.fixture
def sandbox(make_app):
    pytest.importorskip("kampus_codejail", reason="the even-number problem needs the codejail plugin")
    app = make_app(plugins=["problems", "codejail"], settings={"sandbox": "bwrap"})
    with app.app_context():
        yield get_sandbox()


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_demo_problem(name: str, sandbox) -> None:
    xml = (DEMO_COURSE_FOLDER / "problem" / f"{name}.xml").read_text()
    right, wrong = ANSWERS[name]
    problem = LoncapaProblem(xml, seed=1, sandbox=sandbox)
    assert problem.grade_answers(right).get_correctness("1_2_1") == "correct"
    problem = LoncapaProblem(xml, seed=1, sandbox=sandbox)
    assert problem.grade_answers(wrong).get_correctness("1_2_1") == "incorrect"


def test_every_demo_problem_is_covered() -> None:
    names = {path.stem for path in Path(DEMO_COURSE_FOLDER, "problem").glob("*.xml")}
    assert names == set(ANSWERS), json.dumps(sorted(names ^ set(ANSWERS)))
