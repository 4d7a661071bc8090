"""Fixtures of the XQueue tests: a course with coderesponse problems, a queue, a grader that speaks the wire."""

from __future__ import annotations

import json
from typing import Any

import pytest
from kampus_content.store.interface import Block
from kampus_content.testing.xblocks import publish_course
from kampus_xqueue import service

from kampus.testing import DEFAULT_COURSE

#: Open edX's default queue of the test course: ``<org>-<course>``.
QUEUE = "KampusX-Test101"
GRADER = "watcher"
GRADER_PASSWORD = "grader-password-123"

CODE = """<problem>
<text><p>Write a function double(x).</p></text>
<coderesponse{queue}>
  <label>Your code</label>
  <textbox rows="5" cols="40" mode="python" tabsize="4"/>
  <codeparam>
    <initial_display>def double(x):\n    pass</initial_display>
    <answer_display>def double(x): return 2 * x</answer_display>
    <grader_payload>{{"grader": "double.py"}}</grader_payload>
  </codeparam>
</coderesponse>
</problem>"""


def code_problem(block_id: str, queuename: str | None = None, **fields: Any) -> Block:
    queue = f' queuename="{queuename}"' if queuename else ""
    return Block("problem", block_id, {"display_name": f"Code {block_id}", "data": CODE.format(queue=queue),
                                       **fields})


@pytest.fixture
def course(app):
    return publish_course(app, DEFAULT_COURSE, {"unit1": [
        code_problem("code"),
        code_problem("named", queuename="python-q", weight="5"),
        code_problem("ghost", queuename="no-such-queue"),
    ]})


@pytest.fixture
def queue(app):
    with app.app_context():
        kampus = app.extensions["kampus"]
        with kampus.db.session_scope() as db_session:
            service.save_queue(db_session, QUEUE, timeout=30, max_failures=1)
            service.save_queue(db_session, "python-q")
            service.add_grader(db_session, QUEUE, GRADER, GRADER_PASSWORD)
            service.add_grader(db_session, "python-q", GRADER, GRADER_PASSWORD)
    return QUEUE


def reply_of(response) -> dict[str, Any]:
    """The XQueue envelope of a wire answer (always HTTP 200)."""
    assert response.status_code == 200, response.get_data(as_text=True)
    body = json.loads(response.get_data(as_text=True))
    assert set(body) == {"return_code", "content"}
    return body


@pytest.fixture
def grader(app, queue):
    """A test client logged in as the grader through ``/xqueue/login/`` (no CSRF token, as watchers do)."""
    client = app.test_client()
    body = reply_of(client.post("/xqueue/login/", data={"username": GRADER, "password": GRADER_PASSWORD},
                                csrf=False))
    assert body == {"return_code": 0, "content": "Logged in"}
    return client


def submit_code(client, usage_id: str, code: str = "def double(x): return 2 * x"):
    """The learner checks the problem (its answer goes to the queue)."""
    answer_id = usage_id.rsplit("@", 1)[1] + "_2_1"
    return client.post(f"/xblock/{usage_id}/handler/problem_check", data={f"input_{answer_id}": code})


def pull(grader_client, queue_name: str = QUEUE) -> dict[str, Any]:
    return reply_of(grader_client.get("/xqueue/get_submission/", query_string={"queue_name": queue_name}))


def put(grader_client, header: str, body: Any) -> dict[str, Any]:
    reply = body if isinstance(body, str) else json.dumps(body)
    return reply_of(grader_client.post("/xqueue/put_result/", data={"xqueue_header": header, "xqueue_body": reply},
                                       csrf=False))
