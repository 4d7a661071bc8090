"""Learner admin through Open edX's instructor API with bearer tokens: reset attempts, delete state,
rescore for one and for all (eager Celery), override a problem score, due-date extensions that let the
learner submit after the original due date; who may do what."""

from __future__ import annotations

import sqlalchemy as sa
from kampus_content.api import learner_state, score_of
from kampus_lms.api import course_grade

from kampus import current_kampus
from kampus.tasks.api import TaskRecord

from .conftest import COURSE, check, enrolled_learner, publish, token_of

API = f"/courses/{COURSE}/instructor/api"


def attempts(app, user_id: int, usage_id: str) -> int | None:
    with app.app_context():
        state = learner_state(COURSE, user_id, usage_id)
    return None if state is None else state.get("attempts", 0)


def earned(app, user_id: int, usage_id: str) -> float | None:
    with app.app_context():
        score = score_of(user_id, usage_id)
    return None if score is None else score.earned


def percent(app, user_id: int) -> float:
    with app.app_context():
        return course_grade(user_id, COURSE).percent


def test_reset_attempts_and_delete_state(app, client, client_as, course):
    learner = enrolled_learner(app, client_as)
    assert check(learner, course["capital"], "Paris").status_code == 200
    assert attempts(app, learner.user.id, course["capital"]) == 1
    _staff, headers = token_of(app, "staff")
    answer = client.post(f"{API}/reset_student_attempts", headers=headers, data={
        "problem_to_reset": course["capital"], "unique_student_identifier": learner.user.email})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["attempts_before"] == 1
    assert attempts(app, learner.user.id, course["capital"]) == 0
    assert earned(app, learner.user.id, course["capital"]) == 1.0  # the score stays
    assert percent(app, learner.user.id) > 0
    answer = client.post(f"{API}/reset_student_attempts", headers=headers, json={
        "problem_to_reset": course["capital"], "unique_student_identifier": learner.user.username,
        "delete_module": True})
    assert answer.status_code == 200 and answer.get_json()["score_deleted"] is True
    assert attempts(app, learner.user.id, course["capital"]) is None
    assert earned(app, learner.user.id, course["capital"]) is None
    assert percent(app, learner.user.id) == 0.0  # the grade followed the deleted score
    again = client.post(f"{API}/reset_student_attempts", headers=headers, json={
        "problem_to_reset": course["capital"], "unique_student_identifier": learner.user.username})
    assert again.status_code == 400 and "no state" in again.get_json()["developer_message"]


def test_rescore_one_learner_after_the_answer_key_changed(app, client, client_as, course, hook_calls):
    learner = enrolled_learner(app, client_as)
    check(learner, course["capital"], "Lyon")
    assert earned(app, learner.user.id, course["capital"]) == 0.0
    publish(app, answer="Lyon")  # the author fixes the answer key
    _staff, headers = token_of(app, "staff")
    answer = client.post(f"{API}/rescore_problem", headers=headers, data={
        "problem_to_reset": course["capital"], "unique_student_identifier": learner.user.username})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    assert (body["earned_before"], body["earned"], body["possible"]) == (0.0, 1.0, 1.0)
    assert earned(app, learner.user.id, course["capital"]) == 1.0
    assert [c for c in hook_calls.of("kampus_score_changed") if c["usage_id"] == course["capital"]][-1]["earned"] == 1
    assert attempts(app, learner.user.id, course["capital"]) == 1  # rescoring is not an attempt
    # only_if_higher: a key that makes the answer wrong again keeps the higher score
    publish(app, answer="Paris")
    client.post(f"{API}/rescore_problem", headers=headers, data={
        "problem_to_reset": course["capital"], "unique_student_identifier": learner.user.username,
        "only_if_higher": "true"})
    assert earned(app, learner.user.id, course["capital"]) == 1.0
    client.post(f"{API}/rescore_problem", headers=headers, data={
        "problem_to_reset": course["capital"], "unique_student_identifier": learner.user.username})
    assert earned(app, learner.user.id, course["capital"]) == 0.0


def test_rescore_for_all_learners_runs_as_a_task_with_progress(app, client, client_as, course):
    learners = [enrolled_learner(app, client_as) for _ in range(3)]
    for learner in learners:
        check(learner, course["capital"], "Lyon")
    publish(app, answer="Lyon")
    _staff, staff_headers = token_of(app, "staff")
    refused = client.post(f"{API}/rescore_problem", headers=staff_headers,
                          data={"problem_to_reset": course["capital"], "all_students": "true"})
    assert refused.status_code == 403  # every learner at once: the course's instructors (Open edX)
    _instructor, headers = token_of(app, "instructor")
    answer = client.post(f"{API}/rescore_problem", headers=headers,
                         data={"problem_to_reset": course["capital"], "all_students": "true"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["task"] == "created"
    with app.app_context(), current_kampus().db.session_scope() as db_session:
        record = db_session.get(TaskRecord, answer.get_json()["task_id"])
        assert record.state == "SUCCESS", record.error if hasattr(record, "error") else record.state
        assert (record.progress_current, record.progress_total) == (3, 3)
        assert record.course_id == COURSE
    assert [earned(app, learner.user.id, course["capital"]) for learner in learners] == [1.0, 1.0, 1.0]
    assert all(percent(app, learner.user.id) > 0 for learner in learners)
    # resetting every learner's attempts is a task too; deleting everyone's state is refused (Open edX)
    both = client.post(f"{API}/reset_student_attempts", headers=headers, data={
        "problem_to_reset": course["capital"], "all_students": "true", "delete_module": "true"})
    assert both.status_code == 400 and "mutually exclusive" in both.get_json()["developer_message"]
    reset = client.post(f"{API}/reset_student_attempts", headers=headers,
                        data={"problem_to_reset": course["capital"], "all_students": "true"})
    assert reset.status_code == 200 and reset.get_json()["task"] == "created"
    assert [attempts(app, learner.user.id, course["capital"]) for learner in learners] == [0, 0, 0]


def test_override_problem_score(app, client, client_as, course):
    learner = enrolled_learner(app, client_as)
    check(learner, course["capital"], "Lyon")
    _staff, headers = token_of(app, "staff")
    too_high = client.post(f"{API}/override_problem_score", headers=headers, data={
        "problem_to_reset": course["capital"], "unique_student_identifier": learner.user.username, "score": "5"})
    assert too_high.status_code == 400 and "between 0 and 1" in too_high.get_json()["developer_message"]
    assert too_high.get_json()["field_errors"]["score"]["user_message"]
    answer = client.post(f"{API}/override_problem_score", headers=headers, data={
        "problem_to_reset": course["capital"], "unique_student_identifier": learner.user.username, "score": "1"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert earned(app, learner.user.id, course["capital"]) == 1.0
    assert percent(app, learner.user.id) > 0
    unknown = client.post(f"{API}/override_problem_score", headers=headers, data={
        "problem_to_reset": course["capital"], "unique_student_identifier": "nobody", "score": "1"})
    assert unknown.status_code == 400 and "nobody" in unknown.get_json()["developer_message"]
    not_a_problem = client.post(f"{API}/override_problem_score", headers=headers, data={
        "problem_to_reset": "block-v1:X+Y+Z+type@problem+block@nope",
        "unique_student_identifier": learner.user.username, "score": "1"})
    assert not_a_problem.status_code == 400


def test_an_extension_lets_the_learner_submit_after_the_due_date(app, client, client_as, course):
    learner = enrolled_learner(app, client_as)
    other = enrolled_learner(app, client_as)
    closed = check(learner, course["late_problem"], "Madrid")
    assert closed.status_code == 400 and "closed" in closed.get_data(as_text=True)
    _staff, headers = token_of(app, "staff")
    early = client.post(f"{API}/change_due_date", headers=headers, data={
        "student": learner.user.username, "url": course["late"], "due_datetime": "01/01/2019 00:00"})
    assert early.status_code == 400 and "later than the original" in early.get_json()["developer_message"]
    bad = client.post(f"{API}/change_due_date", headers=headers, data={
        "student": learner.user.username, "url": course["late"], "due_datetime": "tomorrow"})
    assert bad.status_code == 400 and "format" in bad.get_json()["developer_message"]
    answer = client.post(f"{API}/change_due_date", headers=headers, data={
        "student": learner.user.username, "url": course["late"], "due_datetime": "01/01/2098 12:00",
        "reason": "illness"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert "Successfully changed due date" in answer.get_json()["message"]
    dates = learner.get(f"/courses/{COURSE}/dates").get_data(as_text=True)
    assert "2098" in dates and "2098" not in other.get(f"/courses/{COURSE}/dates").get_data(as_text=True)
    opened = check(learner, course["late_problem"], "Madrid")
    assert opened.status_code == 200, opened.get_data(as_text=True)
    assert opened.get_json()["success"] == "correct"
    assert check(other, course["late_problem"], "Madrid").status_code == 400  # only that learner
    unit = client.post(f"{API}/show_unit_extensions", headers=headers, data={"url": course["late"]}).get_json()
    assert unit["data"] == [{"Username": learner.user.username, "Full Name": learner.user.name or "",
                             "Extended Due Date": "2098-01-01 12:00"}]
    student = client.post(f"{API}/show_student_extensions", headers=headers,
                          data={"student": learner.user.email}).get_json()
    assert student["data"] == [{"Unit": "Late homework", "Extended Due Date": "2098-01-01 12:00"}]
    reset = client.post(f"{API}/reset_due_date", headers=headers, data={"student": learner.user.username,
                                                                       "url": course["late"]})
    assert reset.status_code == 200
    assert check(learner, course["late_problem"], "Madrid").status_code == 400


def test_who_may_do_what(app, client, client_as, course):
    learner = enrolled_learner(app, client_as)
    check(learner, course["capital"], "Paris")
    form = {"problem_to_reset": course["capital"], "unique_student_identifier": learner.user.username}
    assert client.post(f"{API}/reset_student_attempts", data=form).status_code in (400, 401)  # no CSRF, no login
    _ta, ta_headers = token_of(app, "ta")
    assert client.post(f"{API}/reset_student_attempts", headers=ta_headers, data=form).status_code == 403
    assert client.post(f"{API}/get_student_progress_url", headers=ta_headers, data={
        "unique_student_identifier": learner.user.username}).get_json() == {
        "progress_url": f"/courses/{COURSE}/progress/{learner.user.id}/"}
    assert client.get(f"/api/instructor/v1/courses/{COURSE}/problems", headers=ta_headers).status_code == 200
    _learner2, learner_headers = token_of(app, "learner")
    assert client.post(f"{API}/get_student_progress_url", headers=learner_headers, data={
        "unique_student_identifier": learner.user.username}).status_code == 403
    assert client.get("/api/instructor/v1/courses/course-v1:No+Such+Course/problems",
                      headers=ta_headers).status_code == 404
    with app.app_context(), current_kampus().db.session_scope() as db_session:
        assert db_session.scalar(sa.select(sa.func.count()).select_from(TaskRecord).where(
            TaskRecord.name.like("instructor.%"))) == 0  # nothing was started by a refused request


def test_every_endpoint_is_documented(app, client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    for action in ("reset_student_attempts", "rescore_problem", "override_problem_score", "change_due_date",
                   "reset_due_date", "show_unit_extensions", "show_student_extensions", "get_student_progress_url"):
        assert any(path.endswith(f"/instructor/api/{action}") for path in paths), action
    assert any(path.endswith("/problems") and "/api/instructor/v1/" in path for path in paths)
