"""Push mode against a local grader, signed file URLs, concurrent pulls, the staff page and the CLI."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import sqlalchemy as sa
from kampus_content.api import score_of
from kampus_content.testing.xblocks import publish_course
from kampus_xqueue import service
from kampus_xqueue.models import GraderAccount, Queue, Submission

from kampus.db import utcnow
from kampus.testing import DEFAULT_COURSE, client_as, make_user

from .conftest import QUEUE, code_problem, pull, put, reply_of, submit_code

pytestmark = pytest.mark.kampus_plugins("content", "problems", "xqueue")

RECEIVED: list[dict] = []


class PushGrader(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        payload = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        RECEIVED.append(payload)
        body = json.loads(payload["xqueue_body"])
        correct = "2 * x" in body["student_response"]
        reply = json.dumps({"correct": correct, "score": 1 if correct else 0, "msg": "<b>pushed</b>"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def push_grader():
    server = HTTPServer(("127.0.0.1", 0), PushGrader)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_port}"
    server.shutdown()


def push_site(make_app, host: str, allowed: list[str]):
    app = make_app(plugins=["content", "problems", "xqueue"], settings={"xqueue_push_hosts": allowed})
    usages = publish_course(app, DEFAULT_COURSE, {"unit1": [code_problem("code")]})
    with app.app_context():
        with app.extensions["kampus"].db.session_scope() as db_session:
            service.save_queue(db_session, QUEUE, mode="push", url=f"http://{host}/grade", timeout=5)
    return app, usages


def test_push_mode_posts_and_applies_reply(make_app, push_grader):
    RECEIVED.clear()
    app, usages = push_site(make_app, push_grader, [push_grader])
    learner = client_as(app, "learner")
    assert submit_code(learner, usages["code"]).status_code == 200
    assert len(RECEIVED) == 1 and set(RECEIVED[0]) == {"xqueue_body", "xqueue_files"}
    assert json.loads(RECEIVED[0]["xqueue_files"]) == {}
    with app.app_context():
        score = score_of(learner.user.id, usages["code"])
    assert (score.earned, score.possible) == (1, 1)
    html = learner.post(f"/xblock/{usages['code']}/handler/problem_get").get_json()["html"]
    assert "<b>pushed</b>" in html and "status-correct" in html


def test_push_refused_to_host_not_allowed(make_app, push_grader):
    RECEIVED.clear()
    app, usages = push_site(make_app, push_grader, [])
    learner = client_as(app, "learner")
    html = submit_code(learner, usages["code"]).get_json()["contents"]
    assert RECEIVED == []  # never posted: SSRF guard
    assert "status-incomplete" in html


def test_file_urls_are_signed_bound_to_the_pull_and_served(app, course, grader):
    learner = client_as(app, "learner")
    with app.test_request_context():
        kampus = app.extensions["kampus"]
        db_session = kampus.db.sessionmaker()
        header = json.dumps({"lms_callback_url": "", "lms_key": "k1", "queue_name": QUEUE})
        error, position = service.submit(db_session, header=header, body="{}", files={"main.py": b"print(1)\n"},
                                         user_id=learner.user.id, course_id=DEFAULT_COURSE, usage_id=course["code"])
        db_session.commit()
        db_session.close()
    assert (error, position) == (0, "1")
    content = json.loads(pull(grader)["content"])
    urls = json.loads(content["xqueue_files"])
    url = urls["main.py"].removeprefix("http://localhost")
    anonymous = app.test_client()
    got = anonymous.get(url)
    assert got.status_code == 200 and got.data == b"print(1)\n"
    assert anonymous.get(url.replace("main.py", "other.py")).status_code == 403
    token = url.split("/")[4]
    assert anonymous.get(url.replace(token, token[:-2] + "xx")).status_code == 403
    # after a timeout the submission is taken again: the old URL dies with the old pull
    with app.app_context():
        with app.extensions["kampus"].db.session_scope() as db_session:
            db_session.execute(sa.update(Submission).values(pull_time=utcnow() - timedelta(seconds=31)))
    pull(grader)
    assert anonymous.get(url).status_code == 403


def test_concurrent_pulls_never_hand_out_one_submission_twice(app, course, queue):
    """Threads pull at once (on PostgreSQL and MariaDB with KAMPUS_TEST_DB_URL): each submission goes to one."""
    with app.app_context():
        kampus = app.extensions["kampus"]
        users = [make_user(app, "learner") for _ in range(12)]
        with kampus.db.session_scope() as db_session:
            for index, user in enumerate(users):
                header = json.dumps({"lms_callback_url": f"cb{index}", "lms_key": f"k{index}", "queue_name": QUEUE})
                service.submit(db_session, header=header, body=str(index), user_id=user.id,
                               course_id=DEFAULT_COURSE, usage_id=course["code"] + str(index))
    taken: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            with app.app_context():
                queue_row = None
                while True:
                    with kampus.db.session_scope() as db_session:
                        queue_row = queue_row or service.queue_named(db_session, QUEUE)
                        got = service.take(db_session, queue_row, "thread")
                        if got is None:
                            return
                        with lock:
                            taken.append(got.id)
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert len(taken) == 12 and len(set(taken)) == 12


def test_staff_page_lists_queues_and_acts(app, course, grader):
    staff = client_as(app, "global_staff")
    learner = client_as(app, "learner")
    assert learner.get("/xqueue/admin/").status_code == 403
    submit_code(learner, course["code"])
    pull(grader)
    page = staff.get("/xqueue/admin/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'data-queue="{QUEUE}"' in html and "Grading queues" in html
    assert 'id="no-stuck"' in html
    with app.app_context():
        with app.extensions["kampus"].db.session_scope() as db_session:
            db_session.execute(sa.update(Submission).values(pull_time=utcnow() - timedelta(seconds=31)))
            submission_id = db_session.scalar(sa.select(Submission.id))
    html = staff.get("/xqueue/admin/").get_data(as_text=True)
    assert f'data-submission="{submission_id}"' in html
    assert staff.post(f"/xqueue/admin/submissions/{submission_id}/requeue", csrf=False).status_code == 400
    answer = staff.post(f"/xqueue/admin/submissions/{submission_id}/requeue")
    assert answer.status_code == 302
    assert reply_of(grader.get("/xqueue/get_queuelen/", query_string={"queue_name": QUEUE}))["content"] == 1
    assert staff.post(f"/xqueue/admin/submissions/{submission_id}/retire").status_code == 302
    html = learner.post(f"/xblock/{course['code']}/handler/problem_get").get_json()["html"]
    assert "Your submission could not be graded." in html
    assert staff.post(f"/xqueue/admin/submissions/{submission_id}/retire").status_code == 409
    # create a queue, refuse a bad one, add a grader with a generated password shown once
    assert staff.post("/xqueue/admin/queues", data={"name": "new-q", "mode": "pull", "timeout": "90",
                                                    "max_failures": "2"}).status_code == 302
    bad = staff.post("/xqueue/admin/queues", data={"name": "new-q", "mode": "pull", "timeout": "90",
                                                   "max_failures": "2"})
    assert bad.status_code == 400 and "already exists" in bad.get_data(as_text=True)
    shown = staff.post("/xqueue/admin/graders", data={"queue": "new-q", "username": "robot", "password": ""})
    assert shown.status_code == 200
    password = shown.get_data(as_text=True).split('<code class="user-select-all">')[1].split("</code>")[0]
    client = app.test_client()
    assert reply_of(client.post("/xqueue/login/", data={"username": "robot", "password": password},
                                csrf=False))["content"] == "Logged in"
    with app.app_context():
        with app.extensions["kampus"].db.session_scope() as db_session:
            robot = db_session.scalar(sa.select(GraderAccount).where(GraderAccount.username == "robot"))
            assert robot.password_hash.startswith("$argon2") and password not in robot.password_hash
            assert db_session.scalar(sa.select(Queue.timeout).where(Queue.name == "new-q")) == 90


def test_put_result_needs_no_csrf_token_but_login(app, course, grader):
    learner = client_as(app, "learner")
    submit_code(learner, course["code"])
    header = json.loads(pull(grader)["content"])["xqueue_header"]
    anonymous = app.test_client()
    assert put(anonymous, header, {"correct": True, "score": 1, "msg": ""})["content"] == "login_required"
    assert put(grader, header, {"correct": True, "score": 1, "msg": ""}) == {"return_code": 0, "content": ""}
