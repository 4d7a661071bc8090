"""The daemon's XQueue client against Open edX-style behaviour: Django's login redirect, HTTP Basic auth in
front, server errors, an unreachable server, and malformed submissions."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, jsonify, redirect, request
from kampus_xqueue.grader.client import LoginFailed, Submission, XQueueClient, XQueueError, parse_submission
from werkzeug.serving import make_server

SUBMISSION = json.dumps({
    "xqueue_header": json.dumps({"submission_id": 7, "submission_key": "abc"}),
    "xqueue_body": json.dumps({"student_response": "x = 1", "grader_payload": "{}"}),
    "xqueue_files": json.dumps({"a.py": "http://files/a.py"}),
})


def fake_xqueue(state: dict[str, Any]) -> Flask:
    """An XQueue that behaves as Open edX's Django one: sessions by cookie, ``@login_required`` redirects."""
    app = Flask(__name__)
    app.secret_key = "test"

    def reply(code: int, content: Any) -> Any:
        return jsonify({"return_code": code, "content": content})

    @app.before_request
    def basic_auth() -> Any:
        auth = request.authorization
        if state.get("basic") and (auth is None or (auth.username, auth.password) != state["basic"]):
            return "basic auth required", 401
        return None

    @app.post("/xqueue/login/")
    def login() -> Any:
        state["logins"] = state.get("logins", 0) + 1
        if request.form.get("password") != "secret":
            return reply(1, "Incorrect login credentials")
        response = reply(0, "Logged in")
        response.set_cookie("sessionid", str(state["logins"]))
        return response

    @app.get("/xqueue/get_submission/")
    def get_submission() -> Any:
        if request.cookies.get("sessionid") != str(state.get("logins")):
            return redirect("/accounts/login/?next=/xqueue/get_submission/")
        if state.get("broken"):
            return reply(1, "Error fetching submission for q. Please try again."), 500
        if not state.get("queue"):
            return reply(1, "Queue 'q' is empty")
        return reply(0, state["queue"].pop())

    @app.post("/xqueue/put_result/")
    def put_result() -> Any:
        state.setdefault("results", []).append(dict(request.form))
        return reply(0, "")

    return app


@pytest.fixture
def xqueue() -> Iterator[tuple[str, dict[str, Any]]]:
    state: dict[str, Any] = {}
    server = make_server("127.0.0.1", 0, fake_xqueue(state), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", state
    server.shutdown()
    thread.join(10)


def test_pull_and_put_with_a_login_redirect_in_between(xqueue: tuple[str, dict[str, Any]]) -> None:
    url, state = xqueue
    client = XQueueClient(url + "/", "grader", "secret")
    state["queue"] = [SUBMISSION]
    submission = client.get_submission("q")
    assert submission == Submission(7, "abc", json.dumps({"submission_id": 7, "submission_key": "abc"}),
                                    json.dumps({"student_response": "x = 1", "grader_payload": "{}"}),
                                    {"a.py": "http://files/a.py"})
    assert state["logins"] == 1
    state["logins"] = 5  # the server forgot the session: the next call is redirected, and logs in again
    state["queue"] = [SUBMISSION]
    assert client.get_submission("q") is not None and state["logins"] == 6
    client.put_result(submission, {"correct": True, "score": 1, "msg": "ok"})
    assert state["results"] == [{"xqueue_header": submission.header,
                                 "xqueue_body": json.dumps({"correct": True, "score": 1, "msg": "ok"})}]
    assert client.get_submission("q") is None  # "Queue 'q' is empty"


def test_refused_credentials(xqueue: tuple[str, dict[str, Any]]) -> None:
    url, _state = xqueue
    with pytest.raises(LoginFailed, match="Incorrect login credentials"):
        XQueueClient(url, "grader", "wrong").get_submission("q")


def test_basic_auth_in_front(xqueue: tuple[str, dict[str, Any]]) -> None:
    url, state = xqueue
    state["basic"] = ("edx", "edx-pass")
    with pytest.raises(XQueueError, match="without JSON"):
        XQueueClient(url, "grader", "secret").get_submission("q")
    assert XQueueClient(url, "grader", "secret", basic_auth=("edx", "edx-pass")).get_submission("q") is None


def test_server_errors_and_an_unreachable_server(xqueue: tuple[str, dict[str, Any]]) -> None:
    url, state = xqueue
    state["broken"] = True
    with pytest.raises(XQueueError, match="500"):
        XQueueClient(url, "grader", "secret").get_submission("q")
    with pytest.raises(XQueueError, match="could not reach"):
        XQueueClient("http://127.0.0.1:9", "grader", "secret", timeout=2).get_submission("q")


@pytest.mark.parametrize("content", [
    "not json", json.dumps({"xqueue_body": "{}"}),
    json.dumps({"xqueue_header": "{}", "xqueue_body": "{}"}),
    json.dumps({"xqueue_header": json.dumps({"submission_id": "7", "submission_key": "k"}), "xqueue_body": "{}"}),
    json.dumps({"xqueue_header": json.dumps({"submission_id": 7, "submission_key": "k"}), "xqueue_body": {}}),
])
def test_malformed_submissions_are_refused(content: str) -> None:
    with pytest.raises(XQueueError, match="malformed"):
        parse_submission(content)
