"""Issue 20 follow-ups: no score while queued, the reply applied without a second parse, the queued position
polled by the page, grader messages' classes, rounded points, the queued mark, and repeated grader logins."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from kampus_content.api import completion_of, score_of
from kampus_problems.block import points_text
from kampus_problems.capa import problem as capa_problem
from kampus_problems.capa.rendering.inputs import STATUS_MARK
from kampus_problems.capa.responses.code import clean_grader_message
from kampus_xqueue import service

from .conftest import GRADER, GRADER_PASSWORD, pull, put, reply_of, submit_code

pytestmark = pytest.mark.kampus_plugins("content", "problems", "xqueue")


def header_of(envelope):
    return json.loads(envelope["content"])["xqueue_header"]


def status_of(client, usage_id):
    response = client.get(f"/xblock/{usage_id}/handler/queue_status")
    assert response.status_code == 200
    return response.get_json()


def test_queued_answer_publishes_no_score_until_graded(app, course, grader, client_as, hook_calls):
    learner = client_as("learner")
    data = submit_code(learner, course["code"]).get_json()
    assert "status-incomplete" in data["contents"]
    with app.app_context():
        assert score_of(learner.user.id, course["code"]) is None  # Open edX: the grade comes with the reply
        assert completion_of(learner.user.id, course["code"]) == 1.0  # but the answer completes the problem
    assert [c for c in hook_calls.of("kampus_score_changed") if c["user_id"] == learner.user.id] == []
    put(grader, header_of(pull(grader)), {"correct": True, "score": 1, "msg": "ok"})
    changed = [c for c in hook_calls.of("kampus_score_changed") if c["user_id"] == learner.user.id]
    assert [(c["earned"], c["possible"]) for c in changed] == [(1, 1)]  # one grade recompute per round trip


def test_reply_is_applied_without_parsing_the_problem_again(app, course, grader, client_as, monkeypatch):
    learner = client_as("learner")
    submit_code(learner, course["named"])
    header = header_of(pull(grader, "python-q"))
    parsed = []
    original = capa_problem.LoncapaProblem.__init__

    def counting(self, *args, **kwargs):
        parsed.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(capa_problem.LoncapaProblem, "__init__", counting)
    put(grader, header, {"correct": False, "score": 7, "msg": "too many points"})  # clamped to the maximum
    assert parsed == []
    with app.app_context():
        score = score_of(learner.user.id, course["named"])
    assert (score.earned, score.possible) == (5, 5)  # 1 raw point at most, weight 5


def test_partial_points_rounded_as_open_edx_shows_them(app, course, grader, client_as):
    learner = client_as("learner")
    submit_code(learner, course["code"])
    put(grader, header_of(pull(grader)), {"correct": False, "score": 1 / 3, "msg": "a third"})
    html = learner.post(f"/xblock/{course['code']}/handler/problem_get").get_json()["html"]
    assert "0.33/1 point" in html and "0.333" not in html
    assert (points_text(1 / 3), points_text(2.5), points_text(1.0), points_text(0.005)) == ("0.33", "2.5", "1", "0.01")


def test_queue_status_reports_the_position_then_the_feedback(app, course, grader, client_as):
    first, second = client_as("learner"), client_as("learner")
    submit_code(first, course["code"])
    submit_code(second, course["code"])
    waiting = status_of(second, course["code"])
    assert waiting["queued"] is True
    [message] = waiting["messages"].values()
    assert "Position in queue: 2." in message
    header = header_of(pull(grader))  # the first learner's answer is with the grader now
    assert "A grader is checking your answer now." in next(iter(status_of(first, course["code"])["messages"].values()))
    assert "Position in queue: 1." in next(iter(status_of(second, course["code"])["messages"].values()))
    put(grader, header, {"correct": True, "score": 1, "msg": "<div class='result-output'>passed</div>"})
    graded = status_of(first, course["code"])
    assert graded["queued"] is False
    assert "passed" in graded["contents"] and "status-correct" in graded["contents"]
    assert graded["progress"].startswith("1/1 point") and graded["notification"]


def test_page_polls_while_queued(app, course, client_as, queue):
    learner = client_as("learner")
    submit_code(learner, course["code"])
    script = app.test_client().get("/static/problems/problem.js").get_data(as_text=True)
    assert '"queue_status"' in script and "kampus-queued" in script


def test_grader_message_keeps_watcher_classes_and_drops_the_rest():
    message = ('<div class="test"><header>T</header><dl class="result-tests"><dt class="x">t</dt>'
               '<dd class="y"><pre class="code">1</pre></dd></dl><p class="ok" onclick="steal()">ok</p>'
               '<span class="s" style="color:red">s</span><script>alert(1)</script>'
               '<a href="javascript:alert(1)">x</a><img src="x" onerror="alert(1)"></div>')
    clean = clean_grader_message(message)
    for kept in ('<div class="test">', '<dl class="result-tests">', '<dt class="x">', '<dd class="y">',
                 '<pre class="code">', '<p class="ok">', '<span class="s">'):
        assert kept in clean
    for dropped in ("onclick", "style=", "<script", "javascript:", "onerror", "<header"):
        assert dropped not in clean


def test_queued_mark_is_a_glyph_the_fonts_have():
    assert STATUS_MARK["incomplete"] == "\u25f7"


def test_repeated_grader_login_on_a_live_session_skips_the_hash(app, queue, monkeypatch):
    grader = app.test_client()
    assert reply_of(grader.post("/xqueue/login/", data={"username": GRADER, "password": GRADER_PASSWORD}))[
        "content"] == "Logged in"

    def no_hash(*args, **kwargs):
        raise AssertionError("argon2 computed again")

    monkeypatch.setattr(service, "verify_password", no_hash)
    assert reply_of(grader.post("/xqueue/login/", data={"username": GRADER, "password": GRADER_PASSWORD}))[
        "content"] == "Logged in"
    assert reply_of(grader.get("/xqueue/get_queuelen/", query_string={"queue_name": queue}))["return_code"] == 0
    monkeypatch.undo()
    # a wrong password on the same session is verified (and refused) as usual
    assert reply_of(grader.post("/xqueue/login/", data={"username": GRADER, "password": "wrong password!"}))[
        "content"] == "Incorrect login credentials"
    # a session that ended is no shortcut
    with app.app_context():
        with app.extensions["kampus"].db.session_scope() as db_session:
            db_session.execute(sa.text("DELETE FROM xqueue_grader_session"))
    calls = []
    original = service.verify_password
    monkeypatch.setattr(service, "verify_password", lambda *a: calls.append(1) or original(*a))
    assert reply_of(grader.post("/xqueue/login/", data={"username": GRADER, "password": GRADER_PASSWORD}))[
        "content"] == "Logged in"
    assert calls == [1]
