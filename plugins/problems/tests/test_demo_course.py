"""Acceptance: every problem of the Open edX demo course renders, and its own answers grade as correct."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
from kampus_content.store.interface import Block
from kampus_content.testing.xblocks import publish_course
from kampus_problems.capa.problem import LoncapaProblem
from kampus_problems.capa.rendering import render
from lxml import etree

from kampus.drivers.sandbox import get_sandbox
from kampus.testing import DEFAULT_COURSE

SHARED = Path(__file__).resolve().parents[3].parent / "shared"
DEMO = SHARED / "corpus" / "olx" / "openedx-demo-course" / "problem"
PROBLEMS = sorted(DEMO.glob("*.xml")) if DEMO.is_dir() else []

pytestmark = [
    pytest.mark.skipif(not PROBLEMS, reason="../shared/corpus (the Open edX demo course) is not here"),
    pytest.mark.kampus_plugins("content", "problems", "codejail"),
]

#: Problems whose correct answers are not in their answer data: the grader is instructor Python
#: that accepts answers only a person (or the iframe) can give.
NO_ANSWER_DATA = {
    "0d127d7942ec4be7a464eabafb286d02.xml": "jsinput protein folder: the answer comes from the iframe's getGrade",
    "7c95e593b148415e97ac02811c7daf1b.xml": "jsinput: the answer comes from the iframe's getGrade",
    "53083a812536472ba8ea8182ee354363.xml": "customresponse whose check function computes the answer",
    "eb57b81093d048df975c957d005b1f74.xml": "customresponse whose check function holds the expected query",
    "58f6371c54254596ac91699557af449c.xml": "customresponse whose answer is only in its script",
    "7071a317a0744a37924ef5dea17d47e1.xml": "reflective text question: any answer, nothing to show",
    "29fb15ec7b5f462cab0a8216108df8dc.xml": "annotation question: its answer is a list of option indexes",
    "dc37b89aade5444fbb1ecdaa0d22d180.xml": "schematic: the answer is a circuit drawn in the schematic editor",
}


@pytest.fixture
def kampus_settings():
    return {"sandbox": "bwrap"}


def olx_fields(path: Path) -> dict[str, str]:
    """The problem's fields as the OLX import stores them: attributes apart, the XML without them in data."""
    root = etree.parse(str(path)).getroot()
    fields = {name: value for name, value in root.attrib.items() if name not in ("url_name",)}
    bare = copy.deepcopy(root)
    bare.attrib.clear()
    fields["data"] = etree.tostring(bare, encoding="unicode")
    return fields


def submission(problem) -> dict[str, object]:
    """Answers made from the problem's own answer data, in the form the inputs submit them."""
    expected = problem.get_question_answers()
    answers: dict[str, object] = {}
    for responder in problem.responders.values():
        for field in responder.inputfields:
            aid = field.get("id")
            if aid not in expected:
                continue
            value = expected[aid]
            radio = field.tag == "radiogroup" or (field.tag == "choicegroup" and field.get("type") != "TrueFalse")
            if radio and isinstance(value, list):
                value = value[0] if value else ""
            elif isinstance(value, dict) and value.get("rectangle"):  # imageinput: click the first rectangle
                x1, y1, x2, y2 = (int(n) for n in re.findall(r"-?\d+", value["rectangle"])[:4])
                value = f"[{(x1 + x2) // 2},{(y1 + y2) // 2}]"
            elif isinstance(value, str) and " <b>or</b> " in value:  # several accepted answers, shown joined
                value = value.split(" <b>or</b> ")[0]
            answers[aid] = value
    return answers


@pytest.mark.parametrize("path", PROBLEMS, ids=[p.name for p in PROBLEMS])
def test_demo_problem_renders_and_its_answers_are_correct(app, path):
    data = olx_fields(path)["data"]
    with app.app_context():
        problem = LoncapaProblem(data, problem_id="demo", seed=1, sandbox=get_sandbox())
        html = render(problem)
        assert html.strip()
        for aid in problem.answer_ids:
            assert f'id="inputtype_{aid}"' in html, aid
        if path.name in NO_ANSWER_DATA:
            pytest.skip(NO_ANSWER_DATA[path.name])
        answers = submission(problem)
        assert set(answers) == set(problem.answer_ids), "inputs without answer data"
        correct_map = problem.grade_answers(answers)
        wrong = {aid: correct_map.get_correctness(aid) for aid in problem.answer_ids
                 if correct_map.get_correctness(aid) != "correct"}
        assert not wrong, (answers, wrong)


def test_every_demo_problem_page_renders(app, client_as):
    blocks = [Block("problem", path.stem, olx_fields(path)) for path in PROBLEMS]
    usage = publish_course(app, DEFAULT_COURSE, {"unit1": blocks})
    learner = client_as("learner")
    for path in PROBLEMS:
        response = learner.get(f"/xblock/{usage[path.stem]}")
        assert response.status_code == 200, path.name
        html = response.get_data(as_text=True)
        assert "kampus-problem-error" not in html, (path.name, html[html.find("kampus-problem-error"):][:400])
        assert 'class="kampus-capa"' in html, path.name
