"""The grading engine's API (what the problem XBlock codes against), without instructor Python."""

from __future__ import annotations

import re

import pytest
from kampus_problems.capa import CorrectMap, LoncapaProblem, LoncapaProblemError, StudentInputError
from kampus_problems.capa.py2random import Py2Random
from kampus_problems.capa.responses.custom import CustomResponse

from kampus.drivers.sandbox import SandboxUnavailable

TWO_QUESTIONS = """<problem>
<p>Pick b.</p>
<multiplechoiceresponse><choicegroup type="MultipleChoice" shuffle="true">
  <choice correct="false">a <choicehint>Not a.</choicehint></choice>
  <choice correct="true">b</choice><choice correct="false">c</choice><choice correct="false">d</choice>
</choicegroup></multiplechoiceresponse>
<numericalresponse answer="4500"><responseparam type="tolerance" default="5%"/><textline/></numericalresponse>
<solution><p>Because.</p></solution>
<demandhint><hint>First hint</hint><hint>Second <b>hint</b></hint></demandhint>
</problem>"""


def test_ids_follow_open_edx() -> None:
    problem = LoncapaProblem(TWO_QUESTIONS, problem_id="abc", seed=3)
    assert [r.get("id") for r in problem.responders] == ["abc_1", "abc_2"]
    assert problem.answer_ids == ["abc_2_1", "abc_3_1"]
    assert problem.response_types() == ["multiplechoiceresponse", "numericalresponse"]
    assert problem.tree.find(".//textline").get("response_id") == "3"
    assert problem.get_max_score() == 2


def test_grade_score_state_and_answers() -> None:
    problem = LoncapaProblem(TWO_QUESTIONS, seed=3)
    cmap = problem.grade_answers({"1_2_1": "choice_0", "1_3_1": "4600"})
    assert cmap.get_correctness("1_2_1") == "incorrect"
    assert "Not a." in cmap.get_msg("1_2_1")
    assert cmap.is_correct("1_3_1")
    assert problem.get_score() == {"score": 1, "total": 2}
    state = problem.get_state()
    assert state["done"] is True and state["seed"] == 3
    again = LoncapaProblem(TWO_QUESTIONS, state=state)
    assert again.correct_map.get_dict() == cmap.get_dict()
    answers = problem.get_question_answers()
    assert answers["1_2_1"] == ["choice_1"]
    assert "4500" in answers["1_3_1"]
    assert "Because." in answers["1_solution_1"]
    assert problem.get_demand_hints() == ["First hint", "Second <b>hint</b>"]


def test_shuffle_is_seeded() -> None:
    def order(seed: int) -> list[str]:
        return LoncapaProblem(TWO_QUESTIONS, seed=seed).responders and [
            c.get("name") for c in LoncapaProblem(TWO_QUESTIONS, seed=seed).tree.iter("choice")]

    assert order(5) == order(5)
    assert len({tuple(order(seed)) for seed in range(10)}) > 1


def test_python2_compatible_random() -> None:
    # upstream's schematic test (seed 723): random2.randint(0, 1e9) is 542598487; Python 3's differs
    assert Py2Random(723).randint(0, 1e9) == 542598487


def test_errors() -> None:
    with pytest.raises(LoncapaProblemError):
        LoncapaProblem("<problem><optionresponse><optioninput><option correct='True'>a</option>"
                       "<option correct='True'>b</option></optioninput></optionresponse></problem>")
    problem = LoncapaProblem(TWO_QUESTIONS, seed=1)
    with pytest.raises(StudentInputError):
        problem.grade_answers({"1_2_1": "choice_1", "1_3_1": "4500+"})


def test_correctmap_migrates_old_format() -> None:
    cmap = CorrectMap()
    cmap.set_dict({"1_2_1": "correct"})
    assert cmap.get_npoints("1_2_1") == 1 and cmap.get_msg("1_2_1") == ""


def test_scripts_need_the_sandbox() -> None:
    with pytest.raises((LoncapaProblemError, SandboxUnavailable)):
        LoncapaProblem('<problem><script type="loncapa/python">x = 1</script></problem>')


def test_jsinput_course_pages_are_asked_for_as_frames() -> None:
    """A course file in a JS Input frame gets ``frame=1`` (served sandboxed, scripts allowed); other pages do not."""
    xml = ('<problem><customresponse cfn="check">'
           '<jsinput html_file="/static/page.html" gradefn="g" get_statefn="s" set_statefn="t" sop="false"/>'
           '<jsinput html_file="https://example.com/p.html?a=1" gradefn="g"/>'
           '<jsinput html_file="/static/q.html?v=2#top" gradefn="g"/></customresponse></problem>')
    html = LoncapaProblem(xml, seed=1).get_html()
    assert re.findall(r'<iframe[^>]*src="([^"]*)"', html) == [
        "/static/page.html?frame=1", "https://example.com/p.html?a=1", "/static/q.html?v=2&amp;frame=1#top"]
    assert 'data-gradefn="g"' in html and 'data-get-statefn="s"' in html and 'data-set-statefn="t"' in html


def test_jsinput_answer_reaches_the_check_function_as_upstream_json() -> None:
    """customresponse hands the hidden input's {"answer", "state"} JSON string to the cfn unchanged (as upstream)."""
    xml = ('<problem><customresponse cfn="check" expect="42">'
           '<jsinput html_file="/static/page.html" gradefn="g" get_statefn="s"/></customresponse></problem>')
    problem = LoncapaProblem(xml, seed=1)
    responder = next(iter(problem.responders.values()))
    assert isinstance(responder, CustomResponse)
    seen = {}

    def fake_check(idset, submission, dynamath, student_answers, state):
        seen["submission"] = submission
        state["correct"] = ["correct"]

    responder.execute_check_function = fake_check
    answer = '{"answer": "42", "state": "{\\"typed\\":\\"42\\"}"}'
    cmap = responder.get_score({responder.answer_ids[0]: answer})
    assert seen["submission"] == [answer]
    assert cmap.is_correct(responder.answer_ids[0])
