"""Inputs the CAPA fuzz targets (``fuzz/capa_problem.py``, ``fuzz/capa_markdown.py``) found crashing.

Each one now gives the module's documented result: converted text, or the engine's own error.
"""

from __future__ import annotations

import pytest
from kampus_problems.capa import LoncapaProblem, LoncapaProblemError, StudentInputError
from kampus_problems.markdown import markdown_to_xml
from lxml import etree


@pytest.mark.parametrize("markdown", [
    ">>Pick one\n(x) a\n( ) b\n<<\n",
    ">>Select\n[x] a\n<<\n",
    ">>What is the capital?\n(x) 1952\n]f Australia?<<\n(Canberra)\n]]]\n",
])
def test_markdown_response_inside_a_question_converts(markdown: str) -> None:
    # Found by fuzzing: with the only response inside the question's <label>, the converter tried
    # to move the label into the response it holds (lxml: "cannot append parent to itself").
    xml = markdown_to_xml(markdown)
    root = etree.fromstring(xml)
    assert root.tag == "problem"
    assert [e.tag for e in root.iter("multiplechoiceresponse", "choiceresponse")] in (
        ["multiplechoiceresponse"], ["choiceresponse"])
    assert root.find("label") is not None


def test_numerical_additional_answer_without_answer_is_a_problem_error() -> None:
    # Found by fuzzing: an <additional_answer> whose attribute is not "answer" parsed, then
    # "Show answer" and a wrong answer failed with TypeError (None joined or compared).
    xml = ('<problem><numericalresponse answer="100"><additional_answer answer="1"/>'
           '<additional_answer an\ufffdswer="2"><correcthint>two</correcthint></additional_answer>'
           '<textline/></numericalresponse></problem>')
    with pytest.raises(LoncapaProblemError, match="needs an answer attribute"):
        LoncapaProblem(xml, seed=1)


def test_numerical_additional_answers_still_grade_and_show() -> None:
    xml = ('<problem><numericalresponse answer="100"><additional_answer answer="1"/>'
           '<textline/></numericalresponse></problem>')
    problem = LoncapaProblem(xml, seed=1)
    assert problem.grade_answers({"1_2_1": "1"}).is_correct("1_2_1")
    assert problem.get_question_answers() == {"1_2_1": "100 <b>or</b> 1"}


@pytest.mark.parametrize("xml, answer", [
    ('<problem><multiplechoiceresponse><choicegroup><choice correct="false">a<choicehint>No.</choicehint></choice>'
     '<choice correct="true">b</choice></choicegroup></multiplechoiceresponse></problem>', 'choice_1"}\x00{'),
    ('<problem><choiceresponse><checkboxgroup><choice correct="true">a</choice><choice correct="false">b</choice>'
     '<compoundhint value="A">Only a.</compoundhint></checkboxgroup></choiceresponse></problem>', ["choice_0\x01"]),
])
def test_answer_with_control_characters_is_graded_incorrect(xml: str, answer: object) -> None:
    # Found by fuzzing: a submitted value holding NUL or another control character (a form can send
    # %00) reached lxml as an XPath variable while looking up the choice's hint: ValueError, a 500.
    problem = LoncapaProblem(xml, seed=1)
    cmap = problem.grade_answers({"1_2_1": answer})
    assert cmap.get_correctness("1_2_1") == "incorrect"
    assert cmap.get_msg("1_2_1") == ""


@pytest.mark.parametrize("regions", [
    "[[[10510], [20,10], [20, 30]], [[100,100], [120,100], [120,150]]]",  # a point with one coordinate
    "[[10, 20], [30]",  # not JSON
    '{"a": 1}',
    "[[1, [2]], [3, 4], [5, 6]]",
])
def test_image_regions_that_do_not_parse_are_a_problem_error(regions: str) -> None:
    # Found by fuzzing: a malformed ``regions`` attribute failed grading with IndexError (a 500),
    # where a malformed ``rectangle`` gives the problem's own error.
    xml = (f'<problem><imageresponse><imageinput src="/static/map.png" width="100" height="100" '
           f"regions='{regions}'/></imageresponse></problem>")
    problem = LoncapaProblem(xml, seed=1)
    with pytest.raises(LoncapaProblemError, match="Cannot parse regions"):
        problem.grade_answers({"1_2_1": "[110,112]"})


def test_image_regions_still_grade() -> None:
    xml = ('<problem><imageresponse><imageinput src="/static/map.png" width="100" height="100" '
           'regions="[[[10,10], [20,10], [20,30]], [[100,100], [120,100], [120,150]]]"/></imageresponse></problem>')
    problem = LoncapaProblem(xml, seed=1)
    assert problem.grade_answers({"1_2_1": "[115,105]"}).is_correct("1_2_1")
    assert not problem.grade_answers({"1_2_1": "[50,50]"}).is_correct("1_2_1")


@pytest.mark.parametrize("xml", [
    '<problem><choiceresponse><checkboxgroup><choice correct="true">x</choice></checkboxgroup></choiceresponse>'
    '</problem>',
    '<problem><truefalseresponse><choicegroup><choice correct="true">x</choice><choice correct="false">y</choice>'
    '</choicegroup></truefalseresponse></problem>',
])
def test_checkbox_answer_that_is_an_object_is_a_student_error(xml: str) -> None:
    # Found by fuzzing: a JSON object as the answer (an ``input_<id>{}`` field, or ``kampus check-problem
    # --answers``) failed with "unhashable type: 'dict'"; the block's submission check refuses it first,
    # and the engine itself now says it is not an answer.
    problem = LoncapaProblem(xml, seed=1)
    with pytest.raises(StudentInputError, match="Select choices by their names"):
        problem.grade_answers({"1_2_1": {"a": [1, 2]}})
    assert problem.grade_answers({"1_2_1": ["choice_0"]}).is_correct("1_2_1")


@pytest.mark.parametrize("tolerance", ["0??.2", "abc%", "x", "(1", "1/0", ""])
def test_numerical_tolerance_that_is_not_a_number_is_a_problem_error(tolerance: str) -> None:
    # Found by fuzzing: a tolerance that is not a number failed every submission with ValueError
    # (float()), pyparsing's ParseException, calc's UndefinedVariable or decimal's InvalidOperation
    # (an empty one), each a 500; now the problem refuses to load, with its own error.
    xml = (f'<problem><numericalresponse answer="4"><responseparam type="tolerance" default="{tolerance}"/>'
           "<textline/></numericalresponse></problem>")
    with pytest.raises(LoncapaProblemError, match="is not a number"):
        LoncapaProblem(xml, seed=1)


def test_numerical_partial_range_that_is_not_a_number_is_a_problem_error() -> None:
    xml = ('<problem><numericalresponse answer="4" partial_credit="close"><responseparam type="tolerance" '
           'default="5%"/><responseparam partial_range="x"/><textline/></numericalresponse></problem>')
    problem = LoncapaProblem(xml, seed=1)
    with pytest.raises(LoncapaProblemError, match="The partial_range 'x' is not a number"):
        problem.grade_answers({"1_2_1": "4"})


@pytest.mark.parametrize("tolerance, answer, expected", [
    ("1/2", "4.4", "correct"),  # an expression, as compare_with_tolerance evaluates it
    ("5%", "4.1", "correct"),
    ("5%", "4.4", "incorrect"),
])
def test_numerical_tolerances_that_are_numbers_still_grade(tolerance: str, answer: str, expected: str) -> None:
    xml = (f'<problem><numericalresponse answer="4"><responseparam type="tolerance" default="{tolerance}"/>'
           "<textline/></numericalresponse></problem>")
    assert LoncapaProblem(xml, seed=1).grade_answers({"1_2_1": answer}).get_correctness("1_2_1") == expected


@pytest.mark.parametrize("samples", ["x,n@1,9:20,30#1(", "x@1(:2#3", "x@1#3", "x", "x@1:2#-1"])
def test_formula_samples_that_do_not_parse_are_a_problem_error(samples: str) -> None:
    # Found by fuzzing: a ``samples`` attribute that does not parse failed every submission with
    # ValueError (int('1(')), a 500; now the problem refuses to load, with its own error.
    xml = f'<problem><formularesponse samples="{samples}" answer="x+1"><textline/></formularesponse></problem>'
    with pytest.raises(LoncapaProblemError, match="Cannot parse samples"):
        LoncapaProblem(xml, seed=1)


def test_formula_samples_that_parse_still_grade() -> None:
    xml = '<problem><formularesponse samples="x,n@1,9:20,30#10" answer="x^n+1"><textline/></formularesponse></problem>'
    problem = LoncapaProblem(xml, seed=1)
    assert problem.grade_answers({"1_2_1": "1+x^n"}).is_correct("1_2_1")
    assert not problem.grade_answers({"1_2_1": "x^n"}).is_correct("1_2_1")


@pytest.mark.parametrize("point_value", ["1.6", "-1", "nan", "inf", "x"])
def test_partial_credit_point_value_outside_0_to_1_is_a_problem_error(point_value: str) -> None:
    # Found by fuzzing: point_value="1.6" earned 1.6 of a maximum of 1 (and "nan" a score of NaN, which
    # no JSON column stores; "x" failed with ValueError). Open edX documents point_value as 0 to 1.
    xml = ('<problem><multiplechoiceresponse partial_credit="points"><choicegroup><choice correct="true"/>'
           f'<choice correct="partial" point_value="{point_value}"/></choicegroup></multiplechoiceresponse></problem>')
    with pytest.raises(LoncapaProblemError, match="is not between 0 and 1"):
        LoncapaProblem(xml, seed=1)


def test_partial_credit_point_value_within_0_to_1_still_grades() -> None:
    xml = ('<problem><multiplechoiceresponse partial_credit="points"><choicegroup><choice correct="true"/>'
           '<choice correct="partial" point_value="0.6"/></choicegroup></multiplechoiceresponse></problem>')
    problem = LoncapaProblem(xml, seed=1)
    problem.grade_answers({"1_2_1": "choice_1"})
    assert problem.get_score() == {"score": 0.6, "total": 1}


def test_formula_tolerance_that_is_not_a_number_is_a_problem_error() -> None:
    # Found by fuzzing: the same tolerance check as numericalresponse's, for formularesponse
    # (pyparsing's ParseException at every submission).
    xml = ('<problem><formularesponse samples="x,y@-10,-10:10,10#10" answer="x+2*y">'
           '<responseparam type="tolerance" default="0.\ufffd1"/><textline/></formularesponse></problem>')
    with pytest.raises(LoncapaProblemError, match="is not a number"):
        LoncapaProblem(xml, seed=1)
