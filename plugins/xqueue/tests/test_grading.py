"""The coderesponse round trip: queued with a position, superseded, graded once, timed out, retired."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from kampus_content.api import score_of
from kampus_xqueue import service
from kampus_xqueue.models import FAILED, GRADED, SUPERSEDED, Submission

from kampus.db import utcnow

from .conftest import QUEUE, pull, put, reply_of, submit_code

pytestmark = pytest.mark.kampus_plugins("content", "problems", "xqueue")


def problem_html(client, usage_id: str) -> str:
    return client.post(f"/xblock/{usage_id}/handler/problem_get").get_json()["html"]


def submissions(app) -> list[Submission]:
    with app.app_context():
        with app.extensions["kampus"].db.session_scope() as db_session:
            return list(db_session.scalars(sa.select(Submission).order_by(Submission.id)))


def header_of(pulled: dict) -> str:
    return json.loads(pulled["content"])["xqueue_header"]


def test_round_trip_updates_state_and_score(app, course, grader, client_as, hook_calls):
    learner = client_as("learner")
    data = submit_code(learner, course["code"]).get_json()
    assert data["success"] == "incorrect"  # upstream: queued answers are not correct yet
    html = data["contents"]
    assert "status-incomplete" in html
    assert "Position in queue: 1." in html
    other = client_as("learner")
    other_html = submit_code(other, course["code"]).get_json()["contents"]
    assert "Position in queue: 2." in other_html
    header = header_of(pull(grader))
    reply = {"correct": True, "score": 1, "msg": "<p class='result'>Well done <script>alert(1)</script></p>"}
    assert put(grader, header, reply) == {"return_code": 0, "content": ""}
    with app.app_context():
        score = score_of(learner.user.id, course["code"])
    assert (score.earned, score.possible) == (1, 1)
    changed = hook_calls.of("kampus_score_changed")
    mine = [(c["usage_id"], c["earned"]) for c in changed if c["user_id"] == learner.user.id]
    assert mine[-1] == (course["code"], 1) and [earned for _u, earned in mine].count(1) == 1
    html = problem_html(learner, course["code"])
    assert "Well done" in html and "<script>" not in html and "status-correct" in html
    [first, second] = submissions(app)
    assert first.lms_ack and first.retired and first.retire_reason == GRADED
    assert not second.retired and second.pull_time is None


def test_same_result_twice_is_applied_once(app, course, grader, client_as, hook_calls):
    learner = client_as("learner")
    submit_code(learner, course["named"])
    header = header_of(pull(grader, "python-q"))
    reply = {"correct": True, "score": 1, "msg": "ok"}
    assert put(grader, header, reply)["return_code"] == 0
    assert put(grader, header, reply) == {"return_code": 0, "content": ""}
    graded = [c for c in hook_calls.of("kampus_score_changed") if c["user_id"] == learner.user.id and c["earned"]]
    assert len(graded) == 1
    with app.app_context():
        score = score_of(learner.user.id, course["named"])
    assert (score.earned, score.possible) == (5, 5)  # weight 5


def test_newer_submission_supersedes_older(app, course, grader, client_as, hook_calls):
    learner = client_as("learner")
    submit_code(learner, course["code"], "first")
    old_header = header_of(pull(grader))
    submit_code(learner, course["code"], "second")
    subs = submissions(app)
    assert [(s.retired, s.retire_reason) for s in subs] == [(True, SUPERSEDED), (False, "")]
    # the old grader's late answer is refused; the new one grades
    assert put(grader, old_header, {"correct": True, "score": 1, "msg": "late"})["content"] == \
        "Incorrect key for submission"
    content = json.loads(pull(grader)["content"])
    assert json.loads(content["xqueue_body"])["student_response"] == "second"
    assert put(grader, content["xqueue_header"], {"correct": False, "score": 0, "msg": "no"})["return_code"] == 0
    assert "late" not in problem_html(learner, course["code"])
    with app.app_context():
        assert score_of(learner.user.id, course["code"]).earned == 0


def test_unknown_queue_named_by_problem_gets_open_edx_error(course, queue, client_as):
    html = submit_code(client_as("learner"), course["ghost"]).get_json()["contents"]
    assert "Unable to deliver your submission to grader (Reason: Queue &#39;no-such-queue&#39; not found)" in html \
        or "Queue 'no-such-queue' not found" in html


def age(app, **values) -> None:
    with app.app_context():
        with app.extensions["kampus"].db.session_scope() as db_session:
            db_session.execute(sa.update(Submission).values(**values))


def test_grader_dies_after_pulling_submission_comes_back_then_retires(app, course, grader, client_as):
    """Queue timeout 30 s, one failure allowed: pulled and dropped twice, the learner sees 'could not be graded'."""
    learner = client_as("learner")
    submit_code(learner, course["code"])
    first = json.loads(header_of(pull(grader)))
    assert pull(grader)["content"] == f"Queue '{QUEUE}' is empty"
    age(app, pull_time=utcnow() - timedelta(seconds=31))  # the grader died: no answer within the timeout
    assert reply_of(grader.get("/xqueue/get_queuelen/", query_string={"queue_name": QUEUE}))["content"] == 1
    second = json.loads(header_of(pull(grader)))
    assert second["submission_id"] == first["submission_id"] and second["submission_key"] != first["submission_key"]
    assert put(grader, json.dumps(first), {"correct": True, "score": 1, "msg": "x"})["content"] == \
        "Incorrect key for submission"  # the dead grader's key no longer counts
    age(app, pull_time=utcnow() - timedelta(seconds=31))
    with app.app_context():
        with app.extensions["kampus"].db.session_scope() as db_session:
            counts = service.sweep(db_session)
    assert counts["retired"] == 1
    [sub] = submissions(app)
    assert sub.retired and sub.retire_reason == FAILED and sub.lms_ack
    html = problem_html(learner, course["code"])
    assert "Your submission could not be graded." in html
    assert "status-incomplete" not in html


def test_sweep_requeues_without_any_grader_call(app, course, grader, client_as):
    """Kill-safety: a pulled-but-unanswered submission is recovered by the sweep alone (no worker state)."""
    submit_code(client_as("learner"), course["named"])
    pull(grader, "python-q")
    age(app, pull_time=utcnow() - timedelta(seconds=61))
    with app.app_context():
        with app.extensions["kampus"].db.session_scope() as db_session:
            assert service.sweep(db_session)["requeued"] == 1
    [sub] = submissions(app)
    assert sub.pull_time is None and sub.pullkey == "" and sub.num_failures == 1 and not sub.retired


def test_reply_stored_but_not_delivered_is_delivered_by_sweep(app, course, grader, client_as, monkeypatch):
    """Applying the reply fails (the problem's side broke): the reply alone is kept, with the failure counted,
    and the sweep applies it later, once."""
    learner = client_as("learner")
    submit_code(learner, course["code"])
    header = header_of(pull(grader))

    def broken(*args, **kwargs):
        raise RuntimeError("the problem's store is down")

    monkeypatch.setattr(service, "apply_queue_reply", broken)
    assert put(grader, header, {"correct": True, "score": 1, "msg": "late but fine"})["return_code"] == 0
    monkeypatch.undo()
    with app.app_context():
        with app.extensions["kampus"].db.session_scope() as db_session:
            stored = db_session.scalars(sa.select(Submission)).all()[-1]
            assert (stored.lms_ack, stored.num_failures, stored.retire_reason) == (False, 1, "graded")
            assert json.loads(stored.grader_reply)["msg"] == "late but fine"
    with app.app_context():
        assert score_of(learner.user.id, course["code"]) is None or \
            score_of(learner.user.id, course["code"]).earned == 0
    age(app, return_time=utcnow() - timedelta(seconds=5))
    with app.app_context():
        with app.extensions["kampus"].db.session_scope() as db_session:
            assert service.sweep(db_session)["delivered"] == 1
            assert service.sweep(db_session)["delivered"] == 0
        assert score_of(learner.user.id, course["code"]).earned == 1
