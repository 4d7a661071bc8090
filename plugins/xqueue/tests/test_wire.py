"""The XQueue wire format, field by field, as an unmodified xqueue-watcher sees it."""

from __future__ import annotations

import json

import pytest

from .conftest import GRADER, GRADER_PASSWORD, QUEUE, pull, put, reply_of, submit_code

pytestmark = pytest.mark.kampus_plugins("content", "problems", "xqueue")


def test_login_logout_and_login_required(app, queue):
    client = app.test_client()
    assert reply_of(client.get("/xqueue/login/")) == {"return_code": 1, "content": "login_required"}
    assert reply_of(client.get("/xqueue/get_submission/", query_string={"queue_name": QUEUE})) == {
        "return_code": 1, "content": "login_required"}
    assert reply_of(client.post("/xqueue/put_result/", data={}, csrf=False))["content"] == "login_required"
    assert reply_of(client.post("/xqueue/login/", data={"username": GRADER}, csrf=False)) == {
        "return_code": 1, "content": "Insufficient login info"}
    assert reply_of(client.post("/xqueue/login/", data={"username": GRADER, "password": "wrong-password"},
                                csrf=False)) == {"return_code": 1, "content": "Incorrect login credentials"}
    assert reply_of(client.post("/xqueue/login/", data={"username": GRADER, "password": GRADER_PASSWORD},
                                csrf=False)) == {"return_code": 0, "content": "Logged in"}
    assert reply_of(client.get("/xqueue/get_queuelen/", query_string={"queue_name": QUEUE})) == {
        "return_code": 0, "content": 0}
    assert reply_of(client.post("/xqueue/logout/", csrf=False)) == {"return_code": 0, "content": "Goodbye"}
    assert reply_of(client.get("/xqueue/get_queuelen/", query_string={"queue_name": QUEUE}))["content"] == \
        "login_required"
    assert reply_of(client.get("/xqueue/status/")) == {"return_code": 0, "content": "OK"}


def test_grader_credential_opens_no_page_and_site_login_is_no_grader(app, queue, grader, client_as):
    assert grader.get("/dashboard").status_code in (302, 401, 404)
    assert grader.get("/xqueue/admin/").status_code in (302, 401)
    staff = client_as("global_staff")
    assert reply_of(staff.get("/xqueue/get_queuelen/", query_string={"queue_name": QUEUE}))["content"] == \
        "login_required"


def test_missing_and_unknown_queue_messages(grader):
    assert reply_of(grader.get("/xqueue/get_queuelen/")) == {
        "return_code": 1, "content": "'get_queuelen' must provide parameter 'queue_name'"}
    assert reply_of(grader.get("/xqueue/get_queuelen/", query_string={"queue_name": "nope"})) == {
        "return_code": 1, "content": f"Valid queue names are: {QUEUE}, python-q"}
    assert reply_of(grader.get("/xqueue/get_submission/")) == {
        "return_code": 1, "content": "'get_submission' must provide parameter 'queue_name'"}
    assert pull(grader, "nope") == {"return_code": 1, "content": "Queue 'nope' not found"}
    assert pull(grader) == {"return_code": 1, "content": f"Queue '{QUEUE}' is empty"}
    assert reply_of(grader.get("/xqueue/put_result/")) == {
        "return_code": 1, "content": "'put_result' must use HTTP POST"}


def test_submission_wire_format_field_by_field(app, course, grader, client_as):
    learner = client_as("learner")
    answer = submit_code(learner, course["code"], "def double(x):\n    return x * 2\n")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert reply_of(grader.get("/xqueue/get_queuelen/", query_string={"queue_name": QUEUE})) == {
        "return_code": 0, "content": 1}
    got = pull(grader)
    assert got["return_code"] == 0
    assert isinstance(got["content"], str)  # a JSON string, not an object
    content = json.loads(got["content"])
    assert set(content) == {"xqueue_header", "xqueue_body", "xqueue_files"}
    assert all(isinstance(value, str) for value in content.values())
    header = json.loads(content["xqueue_header"])
    assert set(header) == {"submission_id", "submission_key"}
    assert isinstance(header["submission_id"], int) and len(header["submission_key"]) == 32
    assert json.loads(content["xqueue_files"]) == {}
    body = json.loads(content["xqueue_body"])
    assert body["grader_payload"] == '{"grader": "double.py"}'
    assert body["student_response"] == "def double(x):\n    return x * 2\n"
    assert isinstance(body["student_info"], str)
    info = json.loads(body["student_info"])
    assert info["anonymous_student_id"] and len(info["submission_time"]) == 14
    # taken: the queue is empty for the next grader
    assert reply_of(grader.get("/xqueue/get_queuelen/", query_string={"queue_name": QUEUE}))["content"] == 0
    assert pull(grader) == {"return_code": 1, "content": f"Queue '{QUEUE}' is empty"}


def test_put_result_checks_format_id_and_key(app, course, grader, client_as):
    submit_code(client_as("learner"), course["code"])
    header = json.loads(json.loads(pull(grader)["content"])["xqueue_header"])
    good = {"correct": True, "score": 1, "msg": "<p>ok</p>"}
    assert put(grader, "not json", good) == {"return_code": 1, "content": "Incorrect reply format"}
    assert put(grader, json.dumps({"submission_id": header["submission_id"]}), good)["content"] == \
        "Incorrect reply format"
    assert put(grader, json.dumps({"submission_id": 999999, "submission_key": "x"}), good) == {
        "return_code": 1, "content": "Submission does not exist"}
    wrong = dict(header, submission_key="0" * 32)
    assert put(grader, json.dumps(wrong), good) == {"return_code": 1, "content": "Incorrect key for submission"}
    assert put(grader, json.dumps(header), "not a reply") == {"return_code": 1, "content": "Incorrect reply format"}
    assert put(grader, json.dumps(header), good) == {"return_code": 0, "content": ""}
