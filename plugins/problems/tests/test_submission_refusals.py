"""Submissions that are not answers are refused: no grading, no attempt, stored state and score unchanged."""

from __future__ import annotations

import json

import pytest
from kampus_content.store.interface import Block
from kampus_content.testing.xblocks import publish_course

from kampus.testing import DEFAULT_COURSE

pytestmark = pytest.mark.kampus_plugins("content", "problems")

MC = """<problem><multiplechoiceresponse><label>Which planet is the largest?</label>
<choicegroup type="MultipleChoice"><choice correct="false">Mars</choice><choice correct="true">Jupiter</choice>
</choicegroup></multiplechoiceresponse></problem>"""

CHECKBOXES = """<problem><choiceresponse><label>Pick the even numbers</label><checkboxgroup>
<choice correct="true">2</choice><choice correct="false">3</choice><choice correct="true">4</choice>
</checkboxgroup></choiceresponse></problem>"""

DROPDOWN = """<problem><optionresponse><label>Colour of the sky?</label>
<optioninput options="('red','blue')" correct="blue"/></optionresponse></problem>"""

TWO = """<problem>
<stringresponse answer="Paris" type="ci"><label>Capital of France?</label><textline size="20"/></stringresponse>
<numericalresponse answer="4500"><label>How many?</label><responseparam type="tolerance" default="5%"/>
<formulaequationinput/></numericalresponse>
</problem>"""


def problem(block_id: str, data: str) -> Block:
    return Block("problem", block_id, {"display_name": f"Problem {block_id}", "data": data})


@pytest.fixture
def course(app):
    return publish_course(app, DEFAULT_COURSE, {"unit1": [
        problem("mc", MC), problem("cb", CHECKBOXES), problem("dd", DROPDOWN), problem("two", TWO),
    ]})


def check(client, usage_id: str, data: dict | None = None, **kwargs):
    return client.post(f"/xblock/{usage_id}/handler/problem_check", data=data or {}, **kwargs)


def stored(client, usage_id: str) -> dict:
    """What the server keeps: attempts and score, as problem_get reports them."""
    data = client.post(f"/xblock/{usage_id}/handler/problem_get").get_json()
    return {"attempts": data["attempts_used"], "score": data["current_score"], "html": data["html"]}


def assert_refused_without_trace(client, usage_id, before, events, hook_calls, failure):
    after = stored(client, usage_id)
    assert after["attempts"] == before["attempts"]
    assert after["score"] == before["score"]
    assert after["html"] == before["html"]
    assert not hook_calls.of("kampus_score_changed")
    assert not events.of_type("problem_check")
    assert events.of_type("problem_check_fail")[-1]["event"]["failure"] == failure


def test_empty_answer_is_refused_with_a_message(client_as, course, events, hook_calls):
    learner = client_as("learner")
    before = stored(learner, course["mc"])
    response = check(learner, course["mc"])
    assert response.status_code == 200
    data = response.get_json()
    assert data["success"] == "Please enter an answer before submitting."
    assert data["refused"] is True and "contents" not in data
    assert data["attempts_used"] == 0 and data["progress_changed"] is False
    assert_refused_without_trace(learner, course["mc"], before, events, hook_calls, "empty")


def test_empty_answer_keeps_a_correct_score(client_as, course, events, hook_calls):
    learner = client_as("learner")
    assert check(learner, course["two"], {"input_two_2_1": "paris", "input_two_3_1": "4500"}).get_json()[
        "success"] == "correct"
    before = stored(learner, course["two"])
    assert (before["attempts"], before["score"]) == (1, 2)
    hook_calls.calls.clear()
    events.clear()
    data = check(learner, course["two"], {"input_two_2_1": "  ", "input_two_3_1": ""}).get_json()
    assert data["success"] == "Please enter an answer before submitting."
    assert data["current_score"] == 2 and data["attempts_used"] == 1
    assert_refused_without_trace(learner, course["two"], before, events, hook_calls, "empty")
    assert 'value="paris"' in before["html"] and "status-correct" in before["html"]


def test_dropdown_left_on_select_an_option_is_empty(client_as, course):
    learner = client_as("learner")
    data = check(learner, course["dd"], {"input_dd_2_1": "option_dd_2_1_dummy_default"}).get_json()
    assert data["success"] == "Please enter an answer before submitting." and data["attempts_used"] == 0


def test_a_partly_answered_problem_is_graded(client_as, course):
    data = check(client_as("learner"), course["two"], {"input_two_2_1": "paris", "input_two_3_1": ""}).get_json()
    assert data["success"] == "incorrect" and data["attempts_used"] == 1 and data["current_score"] == 1


@pytest.mark.parametrize(("usage", "body", "message"), [
    ("mc", {"input_mc_2_1": "choice_9"}, "choice_9 is not one of the choices of mc_2_1."),
    ("cb", {"input_cb_2_1[]": ["choice_0", "nonsense"]}, "nonsense is not one of the choices of cb_2_1."),
    ("dd", {"input_dd_2_1": "green"}, "green is not one of the options of dd_2_1."),
    ("mc", {"input_mc_9_1": "choice_1"}, "This problem has no input mc_9_1."),
])
def test_an_answer_the_problem_does_not_offer_is_refused(client_as, course, events, hook_calls, usage, body, message):
    learner = client_as("learner")
    before = stored(learner, course[usage])
    response = check(learner, course[usage], body)
    assert response.status_code == 400
    assert response.get_json()["error"] == message
    assert_refused_without_trace(learner, course[usage], before, events, hook_calls, "invalid")


@pytest.mark.parametrize(("body", "content_type", "message"), [
    ("{not json", "application/json", "The request body is not valid JSON."),
    (json.dumps(["input_mc_2_1", "choice_1"]), "application/json", "The request body must be a JSON object."),
    (json.dumps({"input_mc_2_1": 1}), "application/json", "The answer to mc_2_1 is not text."),
    (b"\xff\xfe", "application/json", "The request body is not valid JSON."),
    ("input_mc_2_1=choice_1", "text/plain", "Send the answers as form fields or as a JSON object."),
])
def test_a_malformed_body_is_a_bad_request(client_as, course, hook_calls, body, content_type, message):
    learner = client_as("learner")
    before = stored(learner, course["mc"])
    response = check(learner, course["mc"], body, content_type=content_type)
    assert response.status_code == 400
    assert response.get_json()["error"] == message
    after = stored(learner, course["mc"])
    assert (after["attempts"], after["score"]) == (before["attempts"], before["score"])
    assert not hook_calls.of("kampus_score_changed")


def test_save_refuses_a_choice_that_does_not_exist(client_as, course):
    learner = client_as("learner")
    response = learner.post(f"/xblock/{course['mc']}/handler/problem_save", data={"input_mc_2_1": "choice_7"})
    assert response.status_code == 400
    assert "choice_7" not in stored(learner, course["mc"])["html"]
