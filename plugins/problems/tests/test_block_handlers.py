"""The problem XBlock over HTTP: check, save, reset, show answer, hints; events, grades, policies, CSRF."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from kampus_content.store.interface import Block
from kampus_content.testing.xblocks import publish_course

from kampus.testing import DEFAULT_COURSE

pytestmark = pytest.mark.kampus_plugins("content", "problems")

MC = """<problem>
<multiplechoiceresponse>
  <label>Which planet is the largest?</label>
  <description>Pick one.</description>
  <choicegroup type="MultipleChoice">
    <choice correct="false">Mars <choicehint>Mars is small.</choicehint></choice>
    <choice correct="true">Jupiter</choice>
  </choicegroup>
</multiplechoiceresponse>
<solution><p>Jupiter is the largest.</p></solution>
<demandhint><hint>Think of gas giants.</hint><hint>It starts with J.</hint></demandhint>
</problem>"""

TWO = """<problem>
<stringresponse answer="Paris" type="ci"><label>Capital of France?</label><textline size="20"/></stringresponse>
<numericalresponse answer="4500"><label>How many?</label><responseparam type="tolerance" default="5%"/>
<formulaequationinput/></numericalresponse>
</problem>"""


def problem(block_id: str, data: str, **fields: object) -> Block:
    return Block("problem", block_id, {"display_name": f"Problem {block_id}", "data": data, **fields})


def post(client, usage_id: str, action: str, data: dict | None = None, **kwargs):
    return client.post(f"/xblock/{usage_id}/handler/{action}", data=data or {}, **kwargs)


@pytest.fixture
def course(app):
    return publish_course(app, DEFAULT_COURSE, {"unit1": [
        problem("mc", MC),
        problem("two", TWO, weight="10"),
        problem("limited", MC, max_attempts="2", showanswer="always"),
        problem("waiting", TWO, submission_wait_seconds="60"),
        problem("hidden", MC, show_correctness="never"),
        problem("pastdue", MC, due="2001-01-01T00:00:00Z", graceperiod="1 day"),
        problem("grace", MC, due=(datetime.now(UTC) - timedelta(minutes=30)).isoformat(), graceperiod="1 hour",
                showanswer="past_due"),
        problem("onreset", MC, rerandomize="onreset", show_reset_button="true"),
    ]})


def test_student_view_renders_accessible_problem(client_as, course):
    page = client_as("learner").get(f"/xblock/{course['mc']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Which planet is the largest?" in html
    assert '<legend class="kampus-label" id="label_mc_2_1">' in html
    assert 'role="status" aria-live="polite"' in html
    assert 'name="input_mc_2_1"' in html
    assert "Jupiter is the largest" not in html  # the solution waits for Show Answer
    assert "Think of gas giants" not in html  # demand hints wait for the Hint button
    assert "/static/problems/problem.js" in html


def test_check_correct_publishes_grade_and_event(client_as, course, events, hook_calls):
    learner = client_as("learner")
    response = post(learner, course["mc"], "problem_check", {"input_mc_2_1": "choice_1"})
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.get_json()
    assert data["success"] == "correct"
    assert data["current_score"] == 1 and data["total_possible"] == 1
    assert data["attempts_used"] == 1 and data["progress_changed"] is True
    assert "status-correct" in data["contents"]
    scores = hook_calls.of("kampus_score_changed")
    assert scores and scores[-1]["earned"] == 1 and scores[-1]["possible"] == 1
    assert scores[-1]["user_id"] == learner.user.id
    check = events.of_type("problem_check")[-1]
    event = check["event"]
    assert event["problem_id"] == course["mc"]
    assert event["answers"] == {"mc_2_1": "choice_1"}
    assert event["success"] == "correct" and event["attempts"] == 1
    assert event["grade"] == 1 and event["max_grade"] == 1
    assert event["correct_map"]["mc_2_1"]["correctness"] == "correct"
    assert set(event["state"]) >= {"seed", "student_answers", "correct_map", "done", "input_state"}
    submission = event["submission"]["mc_2_1"]
    assert submission["response_type"] == "multiplechoiceresponse"
    assert submission["input_type"] == "choicegroup"
    assert submission["correct"] is True
    assert submission["question"] == "Which planet is the largest?"
    assert check["context"]["course_id"] == DEFAULT_COURSE
    assert check["username"] == learner.user.username


def test_incorrect_shows_choicehint_feedback(client_as, course):
    data = post(client_as("learner"), course["mc"], "problem_check", {"input_mc_2_1": "choice_0"}).get_json()
    assert data["success"] == "incorrect"
    assert "Mars is small." in data["contents"]
    assert 'id="feedback_mc_2_1"' in data["contents"]
    assert "Incorrect (0/1 point)" in data["notification"]


def test_state_is_kept_per_learner(client_as, course):
    alice, bob = client_as("learner"), client_as("learner")
    post(alice, course["mc"], "problem_check", {"input_mc_2_1": "choice_1"})
    alice_page = alice.get(f"/xblock/{course['mc']}").get_data(as_text=True)
    bob_page = bob.get(f"/xblock/{course['mc']}").get_data(as_text=True)
    assert 'value="choice_1" checked' in alice_page
    assert "checked" not in bob_page


def test_weight_scales_the_published_score(client_as, course, hook_calls):
    data = post(client_as("learner"), course["two"], "problem_check",
                {"input_two_2_1": "paris", "input_two_3_1": "4600"}).get_json()
    assert data["success"] == "correct"
    assert data["current_score"] == 10 and data["total_possible"] == 10
    score = hook_calls.of("kampus_score_changed")[-1]
    assert (score["earned"], score["possible"]) == (10, 10)
    half = post(client_as("learner"), course["two"], "problem_check",
                {"input_two_2_1": "paris", "input_two_3_1": "5000"}).get_json()
    assert half["success"] == "incorrect" and half["current_score"] == 5


def test_max_attempts_closes_the_problem(client_as, course, events):
    learner = client_as("learner")
    for _ in range(2):
        assert post(learner, course["limited"], "problem_check", {"input_limited_2_1": "choice_0"}).status_code == 200
    third = post(learner, course["limited"], "problem_check", {"input_limited_2_1": "choice_1"})
    assert third.status_code == 400
    assert "closed" in third.get_json()["error"]
    assert events.of_type("problem_check_fail")[-1]["event"]["failure"] == "closed"
    page = learner.get(f"/xblock/{course['limited']}").get_data(as_text=True)
    assert "You have used 2 of 2 attempts" in page


def test_submission_wait_time(client_as, course):
    learner = client_as("learner")
    first = post(learner, course["waiting"], "problem_check", {"input_waiting_2_1": "x", "input_waiting_3_1": "1"})
    assert first.get_json()["success"] == "incorrect"
    second = post(learner, course["waiting"], "problem_check", {"input_waiting_2_1": "paris"}).get_json()
    assert second["success"].startswith("You must wait at least 1 minute between submissions.")
    assert second["attempts_used"] == 1


def test_save_then_reset(client_as, course, events):
    learner = client_as("learner")
    saved = post(learner, course["onreset"], "problem_save", {"input_onreset_2_1": "choice_0"}).get_json()
    assert saved["success"] is True
    assert events.of_type("problem_save")[-1]["event"]["answers"] == {"onreset_2_1": "choice_0"}
    assert 'value="choice_0" checked' in learner.get(f"/xblock/{course['onreset']}").get_data(as_text=True)
    not_done = post(learner, course["onreset"], "problem_reset").get_json()
    assert not_done["success"] is False
    post(learner, course["onreset"], "problem_check", {"input_onreset_2_1": "choice_0"})
    reset = post(learner, course["onreset"], "problem_reset").get_json()
    assert reset["success"] is True
    assert "checked" not in reset["contents"]
    event = events.of_type("problem_reset")[-1]["event"]
    assert event["old_state"]["student_answers"] == {"onreset_2_1": "choice_0"}
    assert event["new_state"]["student_answers"] == {}


def test_show_answer_policy_and_solution(client_as, course, events):
    learner = client_as("learner")
    refused = post(learner, course["mc"], "problem_show")  # finished: not before correct or closed
    assert refused.status_code == 400
    post(learner, course["mc"], "problem_check", {"input_mc_2_1": "choice_1"})
    shown = post(learner, course["mc"], "problem_show").get_json()
    assert shown["answers"]["mc_2_1"] == ["choice_1"]
    assert "Jupiter is the largest." in shown["answers"]["mc_solution_1"]
    assert events.of_type("showanswer")[-1]["event"]["problem_id"] == course["mc"]
    assert events.of_type("problem_show")


def test_past_due_closes_and_grace_period_keeps_open(client_as, course):
    learner = client_as("learner")
    closed = post(learner, course["pastdue"], "problem_check", {"input_pastdue_2_1": "choice_1"})
    assert closed.status_code == 400
    within_grace = post(learner, course["grace"], "problem_check", {"input_grace_2_1": "choice_1"})
    assert within_grace.status_code == 200 and within_grace.get_json()["success"] == "correct"
    assert post(learner, course["grace"], "problem_show").status_code == 400  # past_due: not yet
    assert post(learner, course["pastdue"], "problem_show").status_code == 200  # finished: closed


def test_show_correctness_never_hides_results(client_as, course, hook_calls):
    data = post(client_as("learner"), course["hidden"], "problem_check", {"input_hidden_2_1": "choice_1"}).get_json()
    assert data["success"] == "submitted"
    assert data["current_score"] is None
    assert "status-correct" not in data["contents"] and "Answer submitted." in data["contents"]
    assert hook_calls.of("kampus_score_changed")[-1]["earned"] == 1  # the grade is still recorded


def test_demand_hints_cycle(client_as, course, events):
    learner = client_as("learner")
    first = post(learner, course["mc"], "hint_button", {"hint_index": "0"}).get_json()
    assert first["hint_index"] == 0 and first["should_enable_next_hint"] is True
    assert "Think of gas giants." in first["msg"] and "Hint (1 of 2): " in first["msg"]
    second = post(learner, course["mc"], "hint_button", {"hint_index": "1"}).get_json()
    assert "It starts with J." in second["msg"] and second["should_enable_next_hint"] is False
    shown = events.of_type("edx.problem.hint.demandhint_displayed")
    assert [e["event"]["hint_index"] for e in shown] == [0, 1]


def test_xmodule_handler_url_and_json_bodies(client_as, course):
    learner = client_as("learner")
    response = learner.post(f"/xblock/{course['mc']}/handler/xmodule_handler/problem_check",
                            data=json.dumps({"input_mc_2_1": "choice_1"}), content_type="application/json")
    assert response.get_json()["success"] == "correct"


def test_handlers_need_csrf(client_as, course):
    learner = client_as("learner")
    response = learner.post(f"/xblock/{course['mc']}/handler/problem_check", data={"input_mc_2_1": "choice_1"},
                            csrf=False)
    assert response.status_code == 400
    assert learner.get(f"/xblock/{course['mc']}").get_data(as_text=True).count("checked") == 0


def test_checkbox_answers_as_lists(client_as, app):
    usage = publish_course(app, DEFAULT_COURSE, {"u": [problem("cb", """<problem><choiceresponse>
      <label>Pick the even numbers</label><checkboxgroup>
      <choice correct="true">2</choice><choice correct="false">3</choice><choice correct="true">4</choice>
      </checkboxgroup></choiceresponse></problem>""")]})
    learner = client_as("learner")
    response = learner.post(f"/xblock/{usage['cb']}/handler/problem_check",
                            data={"input_cb_2_1[]": ["choice_0", "choice_2"]})
    assert response.get_json()["success"] == "correct"
