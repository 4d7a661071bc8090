"""A grader written from XQueue's wire format alone (the Flask test client, not Kampus's client class):
login, queue length, pull, every field's type, put result; the learner's score and course grade follow."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask import Flask
from kampus_content.api import score_of
from kampus_content.store.interface import Block
from kampus_lms.api import course_grade, enroll
from kampus_xqueue import service
from opaque_keys.edx.keys import CourseKey

from kampus import db
from kampus.testing import make_user

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms", "xqueue")

COURSE = "course-v1:KampusX+Queue101+2026"
QUEUE = "kampus-python"
GRADER_USER, GRADER_PASSWORD = "watcher", "a long grader password"
CODE = "def square(x):\n    return x * x\n"
PROBLEM = f"""<problem>
<p>Write square(x).</p>
<coderesponse queuename="{QUEUE}">
  <label>Your code</label>
  <textbox rows="6" cols="60" mode="python" tabsize="4"/>
  <codeparam>
    <initial_display>def square(x):
    pass</initial_display>
    <answer_display>def square(x): return x * x</answer_display>
    <grader_payload>{{"grader": "ps1/square/grader.py"}}</grader_payload>
  </codeparam>
</coderesponse>
</problem>"""
# Only Homework counts, so one correct problem is the whole grade.
POLICY = {"GRADER": [{"type": "Homework", "min_count": 1, "drop_count": 0, "short_label": "HW", "weight": 1.0}],
          "GRADE_CUTOFFS": {"Pass": 0.5}}


def graded_course(app: Flask, course_id: str = COURSE, problem_xml: str = PROBLEM) -> str:
    """Publish a course whose one graded Homework subsection holds the code problem; its usage id."""
    blocks = [
        Block("course", "course", {"display_name": "Queue course", "start": "2020-01-01T00:00:00Z",
                                   "grading_policy": POLICY}, [("chapter", "week1")]),
        Block("chapter", "week1", {"display_name": "Week 1"}, [("sequential", "hw1")]),
        Block("sequential", "hw1", {"display_name": "Homework 1", "format": "Homework", "graded": True},
              [("vertical", "unit1")]),
        Block("vertical", "unit1", {"display_name": "Unit 1"}, [("problem", "square")]),
        Block("problem", "square", {"display_name": "Square", "data": problem_xml}, []),
    ]
    with app.app_context():
        store = app.extensions["kampus"].driver("content_store")
        store.create_course(course_id, blocks, ("course", "course"), user_id=None)
        store.publish(course_id, user_id=None)
    return str(CourseKey.from_string(course_id).make_usage_key("problem", "square"))


def make_queue(app: Flask) -> None:
    with app.app_context():
        session = db.session()
        service.save_queue(session, QUEUE)
        service.add_grader(session, QUEUE, GRADER_USER, GRADER_PASSWORD)
        session.commit()


def enrolled_learner(app: Flask) -> Any:
    user = make_user(app, "user")
    with app.app_context():
        enroll(user, COURSE, check_access=False)
    return user


def submit_answer(client: Any, usage_id: str, code: str) -> dict[str, Any]:
    """The learner's Submit, through the problem's handler (what the browser posts)."""
    response = client.post(f"/xblock/{usage_id}/handler/problem_check", data={"input_square_2_1": code})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def wire(response: Any) -> tuple[int, Any]:
    """Open edX's envelope: HTTP 200, JSON {"return_code", "content"}."""
    assert response.status_code == 200
    reply = json.loads(response.get_data(as_text=True))
    assert set(reply) == {"return_code", "content"}
    return reply["return_code"], reply["content"]


@pytest.fixture
def setup(app: Flask, client_as: Any) -> dict[str, Any]:
    usage_id = graded_course(app)
    make_queue(app)
    learner = enrolled_learner(app)
    browser = app.test_client()
    with browser.session_transaction() as sess:
        sess["_user_id"] = learner.get_id()
        sess["_fresh"] = True
    return {"usage_id": usage_id, "learner": learner, "browser": browser}


def test_a_wire_level_grader_grades_a_queued_answer(app: Flask, setup: dict[str, Any]) -> None:
    usage_id, learner, browser = setup["usage_id"], setup["learner"], setup["browser"]
    checked = submit_answer(browser, usage_id, CODE)
    assert "queued" in checked["contents"].lower()
    with app.app_context():
        before = score_of(learner.id, usage_id)
        assert before is None or before.earned == 0

    grader = app.test_client()  # no site session: a grader is not a site user
    assert wire(grader.get(f"/xqueue/get_submission/?queue_name={QUEUE}")) == (1, "login_required")
    assert wire(grader.post("/xqueue/login/", data={"username": GRADER_USER, "password": "wrong password!"})) == (
        1, "Incorrect login credentials")
    assert wire(grader.post("/xqueue/login/", data={"username": GRADER_USER, "password": GRADER_PASSWORD})) == (
        0, "Logged in")

    code, length = wire(grader.get(f"/xqueue/get_queuelen/?queue_name={QUEUE}"))
    assert code == 0 and length == 1 and isinstance(length, int)

    code, content = wire(grader.get(f"/xqueue/get_submission/?queue_name={QUEUE}"))
    assert code == 0 and isinstance(content, str)  # a JSON string, not an object
    pulled = json.loads(content)
    assert set(pulled) == {"xqueue_header", "xqueue_body", "xqueue_files"}
    assert all(isinstance(value, str) for value in pulled.values())  # each a JSON string again
    header = json.loads(pulled["xqueue_header"])
    assert set(header) == {"submission_id", "submission_key"}
    assert isinstance(header["submission_id"], int) and isinstance(header["submission_key"], str)
    assert header["submission_key"]
    assert json.loads(pulled["xqueue_files"]) == {}
    body = json.loads(pulled["xqueue_body"])
    assert body["student_response"] == CODE
    assert isinstance(body["grader_payload"], str)
    assert json.loads(body["grader_payload"]) == {"grader": "ps1/square/grader.py"}
    assert isinstance(body["student_info"], str)
    info = json.loads(body["student_info"])
    assert isinstance(info["anonymous_student_id"], str) and info["anonymous_student_id"]
    assert re.fullmatch(r"\d{14}", info["submission_time"])
    assert wire(grader.get(f"/xqueue/get_submission/?queue_name={QUEUE}")) == (1, f"Queue '{QUEUE}' is empty")

    wrong_key = json.dumps({"submission_id": header["submission_id"], "submission_key": "0" * 32})
    reply = json.dumps({"correct": True, "score": 1, "msg": "<p>forged</p>"})
    assert wire(grader.post("/xqueue/put_result/", data={"xqueue_header": wrong_key, "xqueue_body": reply})) == (
        1, "Incorrect key for submission")
    assert wire(grader.post("/xqueue/put_result/", data={"xqueue_header": pulled["xqueue_header"],
                                                          "xqueue_body": "not json"}))[0] == 1
    with app.app_context():
        still = score_of(learner.id, usage_id)
        assert still is None or still.earned == 0

    reply = json.dumps({"correct": True, "score": 1, "msg": "<p class='graded'>All tests passed.</p>"})
    assert wire(grader.post("/xqueue/put_result/", data={"xqueue_header": pulled["xqueue_header"],
                                                          "xqueue_body": reply})) == (0, "")

    with app.app_context():
        score = score_of(learner.id, usage_id)
        assert score is not None and score.earned == 1 and score.possible == 1
        grade = course_grade(learner.id, COURSE)
        assert grade.percent == 1.0 and grade.passed and grade.letter_grade == "Pass"
    page = browser.get(f"/xblock/{usage_id}").get_data(as_text=True)
    assert "All tests passed." in page and "queued" not in page.lower()


def test_an_incorrect_reply_scores_zero_and_a_repeat_post_changes_nothing(app: Flask, setup: dict[str, Any]) -> None:
    usage_id, learner, browser = setup["usage_id"], setup["learner"], setup["browser"]
    submit_answer(browser, usage_id, "def square(x):\n    return x + x\n")
    grader = app.test_client()
    wire(grader.post("/xqueue/login/", data={"username": GRADER_USER, "password": GRADER_PASSWORD}))
    _code, content = wire(grader.get(f"/xqueue/get_submission/?queue_name={QUEUE}"))
    header = json.loads(content)["xqueue_header"]
    wrong = json.dumps({"correct": False, "score": 0, "msg": "<p>square(3) should be 9</p>"})
    assert wire(grader.post("/xqueue/put_result/", data={"xqueue_header": header, "xqueue_body": wrong}))[0] == 0
    with app.app_context():
        score = score_of(learner.id, usage_id)
        assert score is not None and score.earned == 0 and score.possible == 1
        assert course_grade(learner.id, COURSE).percent == 0
    # the same grader posting again (a retry) is accepted and grades nothing twice
    right = json.dumps({"correct": True, "score": 1, "msg": "late"})
    wire(grader.post("/xqueue/put_result/", data={"xqueue_header": header, "xqueue_body": right}))
    with app.app_context():
        assert score_of(learner.id, usage_id).earned == 0


def test_the_grader_logs_in_again_after_logout(app: Flask, setup: dict[str, Any]) -> None:
    grader = app.test_client()
    wire(grader.post("/xqueue/login/", data={"username": GRADER_USER, "password": GRADER_PASSWORD}))
    assert wire(grader.post("/xqueue/logout/")) == (0, "Goodbye")
    assert wire(grader.get(f"/xqueue/get_queuelen/?queue_name={QUEUE}")) == (1, "login_required")
    assert wire(grader.get("/xqueue/login/")) == (1, "login_required")
    assert wire(grader.post("/xqueue/login/", data={"username": GRADER_USER})) == (1, "Insufficient login info")
    wire(grader.post("/xqueue/login/", data={"username": GRADER_USER, "password": GRADER_PASSWORD}))
    assert wire(grader.get(f"/xqueue/get_queuelen/?queue_name={QUEUE}")) == (0, 0)
    code, content = wire(grader.get("/xqueue/get_queuelen/?queue_name=nope"))
    assert code == 1 and content == f"Valid queue names are: {QUEUE}"
