"""``kampus_response_graders``: the engine's response types come from the hook, per app.

This module is itself a plugin: it adds ``<lengthresponse>``, graded by the length of the answer.
"""

from __future__ import annotations

import sys
from typing import Any

import pytest
from kampus_content.store.interface import Block
from kampus_content.testing.xblocks import publish_course
from kampus_hookspecs import hookimpl
from kampus_problems.capa import CorrectMap, LoncapaProblem, LoncapaResponse
from kampus_problems.capa.cli import grade_report
from kampus_problems.capa.responses import ChoiceResponse, first_party_response_classes
from kampus_problems.response_types import response_classes

from kampus.errors import StartupError
from kampus.testing import DEFAULT_COURSE, client_as

#: Every call of this module's hook implementation (the proof that the hook is called).
HOOK_CALLS: list[str] = []


class LengthResponse(LoncapaResponse):
    """Correct when the answer has between ``min`` and ``max`` characters."""

    tag = "lengthresponse"
    human_name = "Answer length"
    allowed_inputfields = ("textline",)
    max_inputfields = 1
    required_attributes = ("max",)

    def setup_response(self) -> None:
        self.shortest = int(self.xml.get("min", "1"))
        self.longest = int(self.xml.get("max"))

    def get_score(self, student_answers: dict[str, Any]) -> CorrectMap:
        answer = str(student_answers.get(self.answer_id) or "").strip()
        fits = self.shortest <= len(answer) <= self.longest
        return CorrectMap(self.answer_id, "correct" if fits else "incorrect")

    def get_answers(self) -> dict[str, Any]:
        return {self.answer_id: f"{self.shortest} to {self.longest} characters"}


@hookimpl
def kampus_response_graders() -> dict[str, Any]:
    HOOK_CALLS.append("kampus_response_graders")
    return {"lengthresponse": LengthResponse}


class ClashingPlugin:
    """Claims a tag the problems plugin already answers for."""

    @hookimpl
    def kampus_response_graders(self) -> dict[str, Any]:
        return {"choiceresponse": LengthResponse}


class NotAResponsePlugin:
    def __init__(self, grader: Any, tag: str = "oddresponse"):
        self.grader = grader
        self.tag = tag

    @hookimpl
    def kampus_response_graders(self) -> dict[str, Any]:
        return {self.tag: self.grader}


LENGTH = """<problem><lengthresponse min="3" max="8"><label>A word of 3 to 8 letters</label>
<textline size="10"/></lengthresponse></problem>"""


@pytest.fixture
def kampus_plugins() -> list[Any]:
    return ["content", "problems", sys.modules[__name__]]


def test_the_hook_builds_each_apps_registry(make_app):
    calls = len(HOOK_CALLS)
    with_plugin = make_app(plugins=["content", "problems", sys.modules[__name__]])
    assert len(HOOK_CALLS) == calls + 1  # at start-up, once
    without = make_app(plugins=["content", "problems"])
    mine = response_classes(with_plugin.extensions["kampus"])
    theirs = response_classes(without.extensions["kampus"])
    assert mine["lengthresponse"] is LengthResponse
    assert "lengthresponse" not in theirs
    assert {tag: mine[tag] for tag in theirs} == first_party_response_classes() == dict(theirs)
    assert len(HOOK_CALLS) == calls + 1  # the registry is kept on the app, not rebuilt per problem


def test_a_plugin_response_type_renders_is_checked_and_graded(app, hook_calls, events):
    usage = publish_course(app, DEFAULT_COURSE, {"u": [
        Block("problem", "len", {"display_name": "Length", "data": LENGTH})]})["len"]
    learner = client_as(app, "learner", DEFAULT_COURSE)
    page = learner.get(f"/xblock/{usage}").get_data(as_text=True)
    assert 'data-response-type="lengthresponse"' in page
    assert '<label class="kampus-label" id="label_len_2_1" for="input_len_2_1">A word of 3 to 8 letters</label>' in page
    short = learner.post(f"/xblock/{usage}/handler/problem_check", data={"input_len_2_1": "no"}).get_json()
    assert short["success"] == "incorrect" and short["current_score"] == 0
    fits = learner.post(f"/xblock/{usage}/handler/problem_check", data={"input_len_2_1": "kampus"}).get_json()
    assert fits["success"] == "correct" and fits["current_score"] == 1 and fits["attempts_used"] == 2
    assert "status-correct" in fits["contents"]
    score = hook_calls.of("kampus_score_changed")[-1]
    assert (score["earned"], score["possible"]) == (1, 1)
    assert events.of_type("problem_check")[-1]["event"]["submission"]["len_2_1"]["response_type"] == "lengthresponse"


def test_check_problem_grades_with_the_apps_registry(app):
    with app.app_context():
        registry = response_classes(app.extensions["kampus"])
    report = grade_report(LENGTH, {"1_2_1": "kampus"}, response_classes=registry)
    assert report["score"] == 1.0 and report["max_score"] == 1
    first_party = grade_report(LENGTH, {"1_2_1": "kampus"})
    assert first_party["max_score"] == 0  # without the plugin the element is not a response


def test_without_an_app_the_engine_uses_the_first_party_types():
    problem = LoncapaProblem("""<problem><choiceresponse><checkboxgroup><choice correct="true">a</choice>
        </checkboxgroup></choiceresponse></problem>""")
    assert [type(r) for r in problem.responders.values()] == [ChoiceResponse]


@pytest.mark.parametrize(("plugin", "message"), [
    (ClashingPlugin(), r"<choiceresponse> is given by both .*LengthResponse and .*choice\.ChoiceResponse"),
    (NotAResponsePlugin("grade_it"), "<oddresponse> must map to a class"),
    (NotAResponsePlugin(object), "builtins.object for <oddresponse> lacks evaluate_answers, get_answers"),
    (NotAResponsePlugin(LengthResponse, "length"), "'length' of .*LengthResponse is not a response tag"),
])
def test_a_bad_registration_stops_start_up(make_app, plugin, message):
    with pytest.raises(StartupError, match=message):
        make_app(plugins=["content", "problems", plugin])
