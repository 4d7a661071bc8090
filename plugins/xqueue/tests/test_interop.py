"""Open edX interop in both directions, over HTTP.

* Kampus as the XQueue of an Open edX LMS: ``POST /xqueue/submit/`` (section 3.1 of the reference), the
  reply posted back to the header's ``lms_callback_url`` (a fake LMS here: werkzeug's server in a thread),
  retries and ``num_failures``, callback hosts limited by a setting (SSRF).
* Kampus as the LMS of an external XQueue (the ``xqueue_url`` setting): a second Kampus site with the XQueue
  plugin is that server; its reply comes back to Open edX's ``/courses/<id>/xqueue/<user>/<usage>/score_update``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from io import BytesIO
from typing import Any

import pytest
import sqlalchemy as sa
from kampus_content.api import score_of
from kampus_content.testing.xblocks import publish_course
from kampus_xqueue import callback, service
from kampus_xqueue.models import UNDELIVERED, Submission
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from kampus.testing import DEFAULT_COURSE, client_as

from .conftest import GRADER, GRADER_PASSWORD, QUEUE, code_problem, pull, put, reply_of

pytestmark = pytest.mark.kampus_plugins("content", "problems", "xqueue")


class Served:
    """A WSGI app served on 127.0.0.1 by werkzeug in a thread; the app may be set after the port is known."""

    def __init__(self) -> None:
        self.app: Callable[..., Any] | None = None
        self.server = make_server("127.0.0.1", 0, self, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        assert self.app is not None
        return self.app(environ, start_response)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(5)


class FakeLMS:
    """An Open edX LMS's ``xqueue_callback``: records every post; answers with the next queued status."""

    def __init__(self) -> None:
        self.posts: list[dict[str, str]] = []
        self.statuses: list[int] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        self.posts.append({"path": request.path, **request.form.to_dict()})
        status = self.statuses.pop(0) if self.statuses else 200
        return Response("", status=status)(environ, start_response)


@pytest.fixture
def fake_lms() -> Iterator[tuple[Served, FakeLMS]]:
    served, lms = Served(), FakeLMS()
    served.app = lms
    yield served, lms
    served.stop()


def remote_site(make_app, allowed: list[str]):
    app = make_app(plugins=["content", "problems", "xqueue"], settings={"xqueue_lms_callback_hosts": allowed})
    with app.app_context():
        with app.extensions["kampus"].db.session_scope() as db_session:
            service.save_queue(db_session, QUEUE, max_failures=1)
            service.add_grader(db_session, QUEUE, GRADER, GRADER_PASSWORD)
            service.add_grader(db_session, QUEUE, "open-edx-lms", "the LMS's long password")
    lms_client = app.test_client()
    assert reply_of(lms_client.post("/xqueue/login/", data={"username": "open-edx-lms",
                                                            "password": "the LMS's long password"}))["return_code"] == 0
    grader = app.test_client()
    assert reply_of(grader.post("/xqueue/login/", data={"username": GRADER, "password": GRADER_PASSWORD}))[
        "return_code"] == 0
    return app, lms_client, grader


def lms_header(base: str, key: str = "3f6a0c1b2d4e5f60718293a4b5c6d7e8") -> str:
    return json.dumps({
        "lms_callback_url": f"{base}/courses/course-v1:edX+DemoX+Demo_Course/xqueue/7/"
                            f"block-v1:edX+DemoX+Demo_Course+type@problem+block@p1/score_update",
        "lms_key": key, "queue_name": QUEUE})


BODY = json.dumps({"grader_payload": '{"grader": "ps1.py"}', "student_response": "print(1)",
                   "student_info": json.dumps({"anonymous_student_id": "abc", "submission_time": "20260101120000"})})


def test_open_edx_lms_submits_and_gets_the_reply_posted_back(make_app, fake_lms, monkeypatch):
    served, lms = fake_lms
    app, lms_client, grader = remote_site(make_app, [f"127.0.0.1:{served.port}"])
    header = lms_header(served.url)
    answer = reply_of(lms_client.post("/xqueue/submit/", data={"xqueue_header": header, "xqueue_body": BODY}))
    assert answer == {"return_code": 0, "content": "1"}
    pulled = json.loads(pull(grader)["content"])
    assert pulled["xqueue_body"] == BODY  # verbatim
    assert json.loads(pulled["xqueue_files"]) == {}
    reply = json.dumps({"correct": True, "score": 1, "msg": "<p class='result'>ok</p>"})
    assert put(grader, pulled["xqueue_header"], reply) == {"return_code": 0, "content": ""}
    assert lms.posts == [{"path": "/courses/course-v1:edX+DemoX+Demo_Course/xqueue/7/"
                                  "block-v1:edX+DemoX+Demo_Course+type@problem+block@p1/score_update",
                          "xqueue_header": header, "xqueue_body": reply}]
    with app.app_context():
        with app.extensions["kampus"].db.session_scope() as db_session:
            stored = db_session.scalars(sa.select(Submission)).one()
            assert (stored.lms_ack, stored.user_id, stored.num_failures) == (True, None, 0)


def test_submit_with_a_file_and_a_newer_submission_supersedes(make_app, fake_lms):
    served, _lms = fake_lms
    app, lms_client, grader = remote_site(make_app, [f"127.0.0.1:{served.port}"])
    header = lms_header(served.url)
    first = lms_client.post("/xqueue/submit/", data={"xqueue_header": header, "xqueue_body": BODY})
    assert reply_of(first)["return_code"] == 0
    second = lms_client.post("/xqueue/submit/", data={"xqueue_header": lms_header(served.url, "b" * 32),
                                                      "xqueue_body": BODY,
                                                      "answer.py": (BytesIO(b"print(2)\n"), "answer.py")})
    assert reply_of(second) == {"return_code": 0, "content": "1"}  # the first one was retired
    pulled = json.loads(pull(grader)["content"])
    files = json.loads(pulled["xqueue_files"])
    assert list(files) == ["answer.py"]
    assert grader.get(files["answer.py"].replace("http://localhost", "")).data == b"print(2)\n"
    assert pull(grader) == {"return_code": 1, "content": f"Queue '{QUEUE}' is empty"}


def test_lms_that_does_not_acknowledge_counts_failures_then_is_given_up(make_app, fake_lms, monkeypatch):
    served, lms = fake_lms
    monkeypatch.setattr(callback, "BACKOFF", 0.0)
    app, lms_client, grader = remote_site(make_app, [f"127.0.0.1:{served.port}"])
    lms.statuses = [500] * 10
    reply_of(lms_client.post("/xqueue/submit/", data={"xqueue_header": lms_header(served.url), "xqueue_body": BODY}))
    pulled = json.loads(pull(grader)["content"])
    assert put(grader, pulled["xqueue_header"], json.dumps({"correct": False, "score": 0, "msg": "no"}))[
        "return_code"] == 0
    assert len(lms.posts) == callback.TRIES
    with app.app_context():
        with app.extensions["kampus"].db.session_scope() as db_session:
            stored = db_session.scalars(sa.select(Submission)).one()
            assert (stored.lms_ack, stored.num_failures, stored.retire_reason) == (False, 1, "graded")
            assert callback.deliver_to_lms(db_session, stored.id)["acknowledged"] is False  # the sweep's retry
            db_session.expire_all()
            stored = db_session.get(Submission, stored.id)
            assert (stored.num_failures, stored.retire_reason) == (2, UNDELIVERED)  # > max_failures (1)
            assert service.sweep(db_session)["delivered"] == 0
    assert len(lms.posts) == 2 * callback.TRIES  # given up: the sweep posts no more


def test_lms_acknowledging_on_a_later_try(make_app, fake_lms, monkeypatch):
    served, lms = fake_lms
    monkeypatch.setattr(callback, "BACKOFF", 0.0)
    app, lms_client, grader = remote_site(make_app, [f"127.0.0.1:{served.port}"])
    lms.statuses = [502, 503]
    reply_of(lms_client.post("/xqueue/submit/", data={"xqueue_header": lms_header(served.url), "xqueue_body": BODY}))
    pulled = json.loads(pull(grader)["content"])
    put(grader, pulled["xqueue_header"], json.dumps({"correct": True, "score": 1, "msg": "ok"}))
    assert len(lms.posts) == 3
    with app.app_context():
        with app.extensions["kampus"].db.session_scope() as db_session:
            assert db_session.scalars(sa.select(Submission.lms_ack)).one() is True


def test_submit_refuses_callback_hosts_not_allowed_and_bad_requests(make_app, fake_lms):
    served, lms = fake_lms
    app, lms_client, _grader = remote_site(make_app, [])  # no LMS host allowed
    refused = reply_of(lms_client.post("/xqueue/submit/", data={"xqueue_header": lms_header(served.url),
                                                                "xqueue_body": BODY}))
    assert refused["return_code"] == 1 and "lms_callback_url" in refused["content"]
    internal = lms_header("http://169.254.169.254")
    assert reply_of(lms_client.post("/xqueue/submit/", data={"xqueue_header": internal, "xqueue_body": BODY}))[
        "return_code"] == 1
    assert reply_of(lms_client.get("/xqueue/submit/")) == {"return_code": 1,
                                                          "content": "Queue requests should use HTTP POST"}
    for bad in ("not json", json.dumps({"lms_key": "k", "queue_name": QUEUE}), json.dumps(["a"])):
        assert reply_of(lms_client.post("/xqueue/submit/", data={"xqueue_header": bad, "xqueue_body": BODY})) == {
            "return_code": 1, "content": "Queue request has invalid format"}
    assert reply_of(lms_client.post("/xqueue/submit/", data={"xqueue_header": lms_header(served.url)})) == {
        "return_code": 1, "content": "Queue request has invalid format"}
    other = json.dumps({"lms_callback_url": served.url, "lms_key": "k", "queue_name": "nope"})
    assert reply_of(lms_client.post("/xqueue/submit/", data={"xqueue_header": other, "xqueue_body": BODY})) == {
        "return_code": 1, "content": "Queue 'nope' not found"}
    anonymous = app.test_client()
    assert reply_of(anonymous.post("/xqueue/submit/", data={"xqueue_header": lms_header(served.url),
                                                           "xqueue_body": BODY})) == {
        "return_code": 1, "content": "login_required"}
    with app.app_context():
        with app.extensions["kampus"].db.session_scope() as db_session:
            assert db_session.scalars(sa.select(Submission)).all() == []
    assert lms.posts == []


# -- Kampus as the LMS of an external XQueue -------------------------------------------------------------------


@pytest.fixture
def two_sites(make_app):
    """An XQueue site and an LMS site (no XQueue plugin, ``xqueue_url`` set), each served over HTTP."""
    queue_server, lms_server = Served(), Served()
    xqueue_app = make_app(plugins=["content", "problems", "xqueue"],
                          settings={"xqueue_lms_callback_hosts": [f"127.0.0.1:{lms_server.port}"]})
    with xqueue_app.app_context():
        with xqueue_app.extensions["kampus"].db.session_scope() as db_session:
            service.save_queue(db_session, QUEUE)
            service.add_grader(db_session, QUEUE, GRADER, GRADER_PASSWORD)
            service.add_grader(db_session, QUEUE, "kampus-lms", "the LMS's long password")
    queue_server.app = xqueue_app
    lms_app = make_app(plugins=["content", "problems"], settings={
        "xqueue_url": queue_server.url, "xqueue_username": "kampus-lms", "xqueue_password": "the LMS's long password",
        "xqueue_callback_url": lms_server.url})
    lms_server.app = lms_app
    yield xqueue_app, lms_app
    queue_server.stop()
    lms_server.stop()


def test_kampus_problem_graded_through_an_external_xqueue(two_sites):
    xqueue_app, lms_app = two_sites
    usages = publish_course(lms_app, DEFAULT_COURSE, {"unit1": [code_problem("code")]})
    learner = client_as(lms_app, "learner")
    checked = learner.post(f"/xblock/{usages['code']}/handler/problem_check",
                           data={"input_code_2_1": "def double(x): return 2 * x"}).get_json()
    assert "queued" in checked["contents"].lower()
    grader = xqueue_app.test_client()
    reply_of(grader.post("/xqueue/login/", data={"username": GRADER, "password": GRADER_PASSWORD}))
    pulled = json.loads(pull(grader)["content"])
    body = json.loads(pulled["xqueue_body"])
    assert body["student_response"] == "def double(x): return 2 * x"
    with xqueue_app.app_context():
        with xqueue_app.extensions["kampus"].db.session_scope() as db_session:
            header = json.loads(db_session.scalars(sa.select(Submission.xqueue_header)).one())
    assert header["lms_callback_url"].endswith(f"/xqueue/{learner.user.id}/{usages['code']}/score_update")
    with lms_app.app_context():
        assert score_of(learner.user.id, usages["code"]) is None  # queued: no score yet
    reply = json.dumps({"correct": True, "score": 1, "msg": "<div class='result-output'><p>Good</p></div>"})
    assert put(grader, pulled["xqueue_header"], reply) == {"return_code": 0, "content": ""}
    with lms_app.app_context():
        assert score_of(learner.user.id, usages["code"]).earned == 1
    with xqueue_app.app_context():
        with xqueue_app.extensions["kampus"].db.session_scope() as db_session:
            assert db_session.scalars(sa.select(Submission.lms_ack)).one() is True
    shown = learner.post(f"/xblock/{usages['code']}/handler/problem_get").get_json()["html"]
    assert 'class="result-output"' in shown and "Good" in shown


def test_external_xqueue_logs_in_again_after_its_session_ended(two_sites):
    xqueue_app, lms_app = two_sites
    usages = publish_course(lms_app, DEFAULT_COURSE, {"unit1": [code_problem("code")]})
    learner = client_as(lms_app, "learner")
    learner.post(f"/xblock/{usages['code']}/handler/problem_check", data={"input_code_2_1": "x = 1"})
    with xqueue_app.app_context():
        with xqueue_app.extensions["kampus"].db.session_scope() as db_session:
            db_session.execute(sa.text("DELETE FROM xqueue_grader_session"))
    learner.post(f"/xblock/{usages['code']}/handler/problem_check", data={"input_code_2_1": "x = 2"})
    with xqueue_app.app_context():
        with xqueue_app.extensions["kampus"].db.session_scope() as db_session:
            rows = db_session.scalars(sa.select(Submission).order_by(Submission.id)).all()
    assert [row.retired for row in rows] == [True, False]  # the second superseded the first
    assert json.loads(rows[1].xqueue_body)["student_response"] == "x = 2"


def test_lms_callback_route_rejects_wrong_keys_and_malformed_posts(two_sites):
    _xqueue_app, lms_app = two_sites
    usages = publish_course(lms_app, DEFAULT_COURSE, {"unit1": [code_problem("code")]})
    learner = client_as(lms_app, "learner")
    learner.post(f"/xblock/{usages['code']}/handler/problem_check", data={"input_code_2_1": "x = 1"})
    anonymous = lms_app.test_client()
    route = f"/courses/{DEFAULT_COURSE}/xqueue/{learner.user.id}/{usages['code']}/score_update"
    reply = json.dumps({"correct": True, "score": 1, "msg": "forged"})
    wrong = anonymous.post(route, data={"xqueue_header": json.dumps({"lms_key": "0" * 32}), "xqueue_body": reply},
                           csrf=False)
    assert wrong.status_code == 200  # Open edX answers 200 and changes nothing
    with lms_app.app_context():
        assert score_of(learner.user.id, usages["code"]) is None
    assert anonymous.post(route, data={"xqueue_body": reply}, csrf=False).status_code == 404
    assert anonymous.post(route.replace("score_update", "other"), data={
        "xqueue_header": json.dumps({"lms_key": "k"}), "xqueue_body": reply}, csrf=False).status_code == 404
    elsewhere = route.replace(DEFAULT_COURSE, "course-v1:Other+X+1")
    assert anonymous.post(elsewhere, data={"xqueue_header": json.dumps({"lms_key": "k"}), "xqueue_body": reply},
                          csrf=False).status_code == 404
