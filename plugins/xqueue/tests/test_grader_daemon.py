"""`kampus xqueue-grader` against a live test server (werkzeug in a thread over a test app): Python submissions
graded in the bwrap sandbox, attacks ending as graded failures, the client's re-login, workers and stopping."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask import Flask
from kampus_content.api import score_of
from kampus_content.store.interface import Block
from kampus_lms.api import course_grade, enroll
from kampus_xqueue import service
from kampus_xqueue.grader.cli import xqueue_grader_command
from kampus_xqueue.grader.client import LoginFailed, XQueueClient
from kampus_xqueue.grader.runner import GraderDaemon
from kampus_xqueue.models import GraderSession
from opaque_keys.edx.keys import CourseKey
from werkzeug.serving import make_server

from kampus import db
from kampus.testing import make_user

COURSE = "course-v1:KampusX+Daemon101+2026"
QUEUE = "kampus-python"
GRADER_USER, GRADER_PASSWORD = "kampus-grader", "a long grader password"
PROBLEM = f"""<problem>
<coderesponse queuename="{QUEUE}">
  <label>Your code</label>
  <textbox rows="6" cols="60" mode="python"/>
  <codeparam>
    <answer_display>def square(x): return x * x</answer_display>
    <grader_payload>{{"grader": "ps1/square/grader.py"}}</grader_payload>
  </codeparam>
</coderesponse>
</problem>"""
POLICY = {"GRADER": [{"type": "Homework", "min_count": 1, "drop_count": 0, "short_label": "HW", "weight": 1.0}],
          "GRADE_CUTOFFS": {"Pass": 0.5}}
GRADER = """\
import gradelib

grader = gradelib.Grader()
grader.add_input_check(gradelib.must_define_function("square"))
for value in (3, -4, 0):
    grader.add_test(gradelib.InvokeStudentFunctionTest("square", [value]))
"""
SUBMISSIONS = {
    "right": "def square(x):\n    return x ** 2\n",
    "wrong": "def square(x):\n    return x + x\n",  # right for 0 only: one test of three
    "endless": "def square(x):\n    while True:\n        x += 1\n",
    "network": ("import socket\n"
                "def square(x):\n"
                "    socket.create_connection(('127.0.0.1', 80), timeout=1).sendall(b'leak')\n"
                "    return x * x\n"),
}

pytestmark = [pytest.mark.kampus_plugins("content", "problems", "lms", "codejail", "xqueue"), pytest.mark.slow]


@pytest.fixture
def kampus_settings() -> dict[str, Any]:
    return {"sandbox": "bwrap", "codejail_cpu_seconds": 1, "codejail_wall_seconds": 4.0}


@pytest.fixture
def grader_root(tmp_path: Path) -> Path:
    folder = tmp_path / "graders" / "ps1" / "square"
    folder.mkdir(parents=True)
    (folder / "grader.py").write_text(GRADER)
    (folder / "answer.py").write_text("def square(x):\n    return x * x\n")
    return tmp_path / "graders"


@pytest.fixture
def site(app: Flask) -> Iterator[dict[str, Any]]:
    """The course, the queue and its grader account, and the app served on a free port."""
    if not shutil.which("bwrap"):
        pytest.skip("bubblewrap is not installed (apt-get install bubblewrap)")
    blocks = [
        Block("course", "course", {"display_name": "Daemon course", "start": "2020-01-01T00:00:00Z",
                                   "grading_policy": POLICY}, [("chapter", "week1")]),
        Block("chapter", "week1", {"display_name": "Week 1"}, [("sequential", "hw1")]),
        Block("sequential", "hw1", {"display_name": "Homework 1", "format": "Homework", "graded": True},
              [("vertical", "unit1")]),
        Block("vertical", "unit1", {"display_name": "Unit 1"}, [("problem", "square")]),
        Block("problem", "square", {"display_name": "Square", "data": PROBLEM}, []),
    ]
    with app.app_context():
        store = app.extensions["kampus"].driver("content_store")
        store.create_course(COURSE, blocks, ("course", "course"), user_id=None)
        store.publish(COURSE, user_id=None)
        session = db.session()
        service.save_queue(session, QUEUE)
        service.add_grader(session, QUEUE, GRADER_USER, GRADER_PASSWORD)
        session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"url": f"http://127.0.0.1:{server.server_port}",
               "usage_id": str(CourseKey.from_string(COURSE).make_usage_key("problem", "square"))}
    finally:
        server.shutdown()
        thread.join(10)


def learner_submits(app: Flask, usage_id: str, code: str) -> Any:
    """A new enrolled learner submits ``code`` through the problem's handler; the learner."""
    user = make_user(app, "user")
    with app.app_context():
        enroll(user, COURSE, check_access=False)
    browser = app.test_client()
    with browser.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True
    response = browser.post(f"/xblock/{usage_id}/handler/problem_check", data={"input_square_2_1": code})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "queued" in response.get_json()["contents"].lower()
    return user


def run_grader(app: Flask, url: str, grader_root: Path, *extra: str) -> Any:
    args = ["--url", url, "--queue", QUEUE, "--grader-root", str(grader_root), "--poll-interval", "0.1", *extra]
    env = {"XQUEUE_GRADER_USERNAME": GRADER_USER, "XQUEUE_GRADER_PASSWORD": GRADER_PASSWORD}
    with app.app_context():
        return CliRunner().invoke(xqueue_grader_command, args, env=env, catch_exceptions=False)


def problem_message(app: Flask, user: Any, usage_id: str) -> str:
    browser = app.test_client()
    with browser.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True
    return browser.get(f"/xblock/{usage_id}").get_data(as_text=True)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_once_grades_right_wrong_and_attacks(app: Flask, site: dict[str, Any], grader_root: Path,
                                              workers: str) -> None:
    learners = {name: learner_submits(app, site["usage_id"], code) for name, code in SUBMISSIONS.items()}
    started = time.monotonic()
    result = run_grader(app, site["url"], grader_root, "--once", "--workers", workers)
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < 60  # the endless loop did not hang the daemon
    assert "graded 4 submissions (1 correct)" in result.output

    with app.app_context():
        scores = {name: score_of(user.id, site["usage_id"]) for name, user in learners.items()}
        assert {name: (score.earned, score.possible) for name, score in scores.items()} == {
            "right": (1, 1), "wrong": (pytest.approx(1 / 3), 1), "endless": (0, 1), "network": (0, 1)}
        assert course_grade(learners["right"].id, COURSE).percent == 1.0
        assert course_grade(learners["wrong"].id, COURSE).percent == pytest.approx(0.33)  # 1 test of 3 passed
        # nothing left in the queue
        queue = service.queue_named(db.session(), QUEUE)
        assert service.queue_length(db.session(), queue) == 0

    right = problem_message(app, learners["right"], site["usage_id"])
    assert "status-correct" in right and "Test: square(3)" in right and "Your output:" not in right
    wrong = problem_message(app, learners["wrong"], site["usage_id"])
    assert "status-incorrect" in wrong and "Your output:" in wrong and "Correct output:" in wrong
    endless = problem_message(app, learners["endless"], site["usage_id"])
    assert "status-incorrect" in endless and "ran longer than allowed" in endless
    network = problem_message(app, learners["network"], site["usage_id"])
    assert "status-incorrect" in network and "Traceback (most recent call last)" in network


def test_once_with_an_empty_queue_ends_at_once(app: Flask, site: dict[str, Any], grader_root: Path) -> None:
    result = run_grader(app, site["url"], grader_root, "--once")
    assert result.exit_code == 0 and "graded 0 submissions" in result.output


def test_refused_credentials_end_the_daemon_with_a_message(app: Flask, site: dict[str, Any],
                                                           grader_root: Path) -> None:
    args = ["--url", site["url"], "--queue", QUEUE, "--grader-root", str(grader_root), "--username", GRADER_USER,
            "--password", "not the password", "--once"]
    with app.app_context():
        result = CliRunner().invoke(xqueue_grader_command, args)
    assert result.exit_code == 1 and "Incorrect login credentials" in result.output


def test_the_client_logs_in_again_when_its_session_ends(app: Flask, site: dict[str, Any]) -> None:
    client = XQueueClient(site["url"], GRADER_USER, GRADER_PASSWORD)
    assert client.get_queuelen(QUEUE) == 0
    with app.app_context():
        db.session().execute(sa.delete(GraderSession))
        db.session().commit()
    assert client.get_queuelen(QUEUE) == 0  # login_required, then a new login, then the answer
    assert client.get_submission(QUEUE) is None
    with pytest.raises(LoginFailed):
        XQueueClient(site["url"], GRADER_USER, "wrong password").get_queuelen(QUEUE)


def test_a_stop_lets_the_current_submission_finish(app: Flask, site: dict[str, Any]) -> None:
    learners = [learner_submits(app, site["usage_id"], SUBMISSIONS["right"]) for _ in range(3)]
    grading = threading.Event()

    def slow_grade(content: dict[str, Any]) -> dict[str, Any]:
        grading.set()
        time.sleep(0.5)
        return {"correct": True, "score": 1, "msg": "ok"}

    daemon = GraderDaemon(lambda: XQueueClient(site["url"], GRADER_USER, GRADER_PASSWORD), [QUEUE], slow_grade,
                          poll_interval=0.1)
    thread = threading.Thread(target=daemon.run)
    thread.start()
    assert grading.wait(10)
    daemon.stop()
    thread.join(10)
    assert not thread.is_alive()
    assert daemon.stats.graded == 1  # the one being graded was finished and its result put; no more pulled
    with app.app_context():
        earned = [getattr(score_of(user.id, site["usage_id"]), "earned", 0) for user in learners]
    assert sorted(earned) == [0, 0, 1]


def test_a_site_without_sandbox_refuses_to_start(make_app: Any, tmp_path: Path) -> None:
    other = make_app(plugins=["content", "problems", "xqueue"], settings={"sandbox": "none"})
    with other.app_context():
        result = CliRunner().invoke(xqueue_grader_command, [
            "--url", "http://127.0.0.1:9", "--queue", QUEUE, "--grader-root", str(tmp_path), "--username", "u",
            "--password", "p", "--once"])
    assert result.exit_code == 1 and "no sandbox" in result.output
