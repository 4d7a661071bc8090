"""The Data Download section's reports: each CSV against values computed here, permissions, the listing."""

from __future__ import annotations

import pytest

from kampus.tasks.models import PENDING, TaskRecord

from .conftest import COURSE, answer, enroll_many, learner_client, newest_report, publish_graded_course, read_csv

API = f"/courses/{COURSE}/instructor/api"

#: What each scripted learner answers: (mc choice, capital, number); None leaves the problem alone.
SCRIPT = [
    ("choice_1", "Paris", "4500"),   # all right
    ("choice_0", "paris", "1000"),   # mc wrong, capital right, number wrong
    ("choice_2", None, None),        # mc wrong, exam never attempted
    (None, "Rome", "4600"),          # mc never attempted; capital wrong, number right (within 5 %)
]


@pytest.fixture
def course(app):
    usage = publish_graded_course(app)
    learners = enroll_many(app, len(SCRIPT))
    for user, (mc, capital, number) in zip(learners, SCRIPT, strict=True):
        client = learner_client(app, user)
        if mc is not None:
            answer(client, usage["mc"], {"input_mc_2_1": mc})
        if capital is not None:
            answer(client, usage["two"], {"input_two_2_1": capital, "input_two_3_1": number})
    return usage, learners


def expected_points(mc, capital, number):
    """(homework earned of 1, exam earned of 10) computed by hand from the answers."""
    hw = 1.0 if mc == "choice_1" else 0.0
    exam_parts = 0
    if capital is not None:
        exam_parts += capital.lower() == "paris"
        exam_parts += abs(float(number) - 4500) <= 0.05 * 4500
    return hw, exam_parts * 5.0


def test_grade_report_matches_hand_computed_grades(app, client_as, course):
    _usage, learners = course
    staff = client_as("staff")
    started = staff.post(f"{API}/calculate_grades_csv")
    assert started.status_code == 200, started.get_data(as_text=True)
    assert started.get_json()["status"].startswith("The grade report is being created.")
    report = newest_report(staff)
    assert report["name"].startswith("KampusX_Test101_2026_grade_report_") and report["name"].endswith(".csv")
    rows = read_csv(staff, report["url"])
    header, body = rows[0], rows[1:]
    assert header[:4] == ["Student ID", "Email", "Username", "Grade"]
    assert header[-2:] == ["Enrollment Track", "Certificate Eligible"]
    hw_column = next(i for i, name in enumerate(header) if name.startswith("HW"))
    final_column = next(i for i, name in enumerate(header) if name.startswith("Final"))
    by_user = {row[2]: row for row in body}
    assert set(by_user) == {user.username for user in learners}
    for user, script in zip(learners, SCRIPT, strict=True):
        hw, exam = expected_points(*script)
        grade = round(0.5 * hw / 1 + 0.5 * exam / 10, 2)
        row = by_user[user.username]
        assert row[0] == str(user.id) and row[1] == user.email
        assert float(row[3]) == pytest.approx(grade), (user.username, row)
        assert float(row[hw_column]) == pytest.approx(hw)
        assert float(row[final_column]) == pytest.approx(exam / 10)
        assert row[-1] == ("Y" if grade >= 0.5 else "N")
        assert row[-2] == "audit" or row[-2]  # the enrollment's mode


def test_problem_grade_report_earned_and_possible(app, client_as, course):
    usage, learners = course
    staff = client_as("instructor")
    assert staff.post(f"{API}/problem_grade_report").status_code == 200
    rows = read_csv(staff, newest_report(staff)["url"])
    header = rows[0]
    assert header[:5] == ["Student ID", "Email", "Username", "Enrollment Status", "Grade"]
    assert header[5:] == ["Homework 1 - Planets (Earned)", "Homework 1 - Planets (Possible)",
                          "Exam - Capitals (Earned)", "Exam - Capitals (Possible)"]
    by_user = {row[2]: row for row in rows[1:]}
    for user, script in zip(learners, SCRIPT, strict=True):
        hw, exam = expected_points(*script)
        row = by_user[user.username]
        assert row[6] == "1.0" and row[8] == "10.0"
        assert row[5] == ("Not Attempted" if script[0] is None else str(hw))
        assert row[7] == ("Not Attempted" if script[1] is None else str(exam))


def test_profiles_report_lists_enrolled_learners(app, client_as, course):
    _usage, learners = course
    staff = client_as("staff")
    assert staff.post(f"{API}/get_students_features/csv").status_code == 200
    rows = read_csv(staff, newest_report(staff)["url"])
    assert rows[0][:4] == ["id", "username", "name", "email"]
    assert sorted((r[0], r[1], r[2], r[3]) for r in rows[1:]) == sorted(
        (str(u.id), u.username, u.name, u.email) for u in learners)


def test_problem_responses_report(app, client_as, course):
    usage, learners = course
    staff = client_as("staff")
    started = staff.post(f"{API}/get_problem_responses", data={"problem_location": usage["two"]})
    assert started.status_code == 200, started.get_data(as_text=True)
    rows = read_csv(staff, newest_report(staff)["url"])
    assert rows[0][:8] == ["username", "title", "location", "block_key", "Answer ID", "Answer", "Correctness",
                           "Attempts"]
    got = sorted((r[0], r[3], r[4], r[5], r[6]) for r in rows[1:])
    assert rows[0][8:] == ["Question", "State"]
    assert {r[8] for r in rows[1:]} == {"Capital of France?", "How many?"}
    expected = []
    for user, (_mc, capital, number) in zip(learners, SCRIPT, strict=True):
        if capital is None:
            continue
        expected.append((user.username, usage["two"], "two_2_1", capital,
                         "correct" if capital.lower() == "paris" else "incorrect"))
        expected.append((user.username, usage["two"], "two_3_1", number,
                         "correct" if abs(float(number) - 4500) <= 225 else "incorrect"))
    assert got == sorted(expected)


def test_problem_responses_show_choice_text(app, client_as, course):
    usage, learners = course
    staff = client_as("staff")
    assert staff.post(f"{API}/get_problem_responses", data={"problem_location": usage["hw1"]}).status_code == 200
    rows = read_csv(staff, newest_report(staff)["url"])
    answers = sorted((r[0], r[5], r[6]) for r in rows[1:])
    names = {"choice_0": "Mars", "choice_1": "Jupiter", "choice_2": "Venus"}
    assert answers == sorted((user.username, names[mc], "correct" if mc == "choice_1" else "incorrect")
                             for user, (mc, _c, _n) in zip(learners, SCRIPT, strict=True) if mc is not None)


def test_answer_distribution_counts(app, client_as, course):
    usage, _learners = course
    staff = client_as("staff")
    started = staff.post(f"/api/instructor/v1/courses/{COURSE}/reports/answer_distribution", json={})
    assert started.status_code == 200, started.get_data(as_text=True)
    rows = read_csv(staff, newest_report(staff)["url"])
    assert rows[0] == ["ModuleID", "PartID", "Correct", "Count", "ValueID", "AnswerValue", "Variant",
                       "Problem Display Name", "Question"]
    got = {(r[0], r[1], r[4], r[2]): int(r[3]) for r in rows[1:]}
    texts = {(r[1], r[4]): (r[5], r[7], r[8]) for r in rows[1:]}
    assert texts[("mc_2_1", "choice_1")] == ("Jupiter", "Planets", "Which planet is the largest?")
    assert texts[("mc_2_1", "choice_0")][0] == "Mars"
    assert texts[("two_2_1", "Paris")] == ("Paris", "Capitals", "Capital of France?")
    assert texts[("two_3_1", "4500")][2] == "How many?"
    expected: dict[tuple[str, str, str, str], int] = {}
    for mc, capital, number in SCRIPT:
        if mc is not None:
            key = (usage["mc"], "mc_2_1", mc, "correct" if mc == "choice_1" else "incorrect")
            expected[key] = expected.get(key, 0) + 1
        if capital is not None:
            key = (usage["two"], "two_2_1", capital, "correct" if capital.lower() == "paris" else "incorrect")
            expected[key] = expected.get(key, 0) + 1
            key = (usage["two"], "two_3_1", number,
                   "correct" if abs(float(number) - 4500) <= 225 else "incorrect")
            expected[key] = expected.get(key, 0) + 1
    assert got == expected


def test_reports_need_course_staff(app, client, client_as, course):
    assert client.post(f"{API}/calculate_grades_csv").status_code == 401
    for role in ("learner", "ta", "beta_tester"):
        answer_ = client_as(role).post(f"{API}/calculate_grades_csv")
        assert answer_.status_code == 403, role
        assert set(answer_.get_json()) >= {"developer_message", "user_message"}
    assert client_as("ta").get(f"/courses/{COURSE}/instructor/reports").status_code == 403
    # a report of the course is not downloadable through another course's URL, nor by a learner
    staff = client_as("staff")
    staff.post(f"{API}/calculate_grades_csv")
    report = newest_report(staff)
    assert client_as("learner").get(report["url"]).status_code == 403
    other = report["url"].replace(COURSE, "course-v1:Other+X+1")
    assert client_as("staff", course_id="course-v1:Other+X+1").get(other).status_code == 404
    assert client_as("staff").post("/courses/not-a-course/instructor/api/calculate_grades_csv").status_code == 404


def test_same_report_running_is_refused(app, client_as, course):
    staff = client_as("staff")
    from kampus_instructor.reports.api import start_report

    with app.app_context():
        kampus = app.extensions["kampus"]
        import hashlib
        import json

        digest = hashlib.sha1(json.dumps({}, sort_keys=True).encode()).hexdigest()[:12]
        with kampus.db.session_scope() as db_session:
            db_session.add(TaskRecord(id="running-report", name="instructor.reports.grade_report",
                                      task_key=f"grade_report:{COURSE}:{digest}", course_id=COURSE, state=PENDING))
        assert start_report  # the key the API uses
    refused = staff.post(f"{API}/calculate_grades_csv")
    assert refused.status_code == 400
    assert "already" in refused.get_json()["user_message"]


def test_bad_input_is_a_400(app, client_as, course):
    staff = client_as("staff")
    bad = staff.post(f"/api/instructor/v1/courses/{COURSE}/reports/answer_distribution",
                     json={"problem_locations": [1, 2]})
    assert bad.status_code == 400
    assert any(name.startswith("problem_locations") for name in bad.get_json()["field_errors"])
    assert staff.post(f"/api/instructor/v1/courses/{COURSE}/reports/nope", json={}).status_code == 404
    assert staff.post(f"/api/instructor/v1/courses/{COURSE}/reports/grade_report", data="[",
                      content_type="application/json").status_code == 400


def test_unpublished_course_report_fails_with_message(app, client_as):
    staff = client_as("staff")
    assert staff.post(f"{API}/calculate_grades_csv").status_code == 200
    tasks = staff.post(f"{API}/list_instructor_tasks", data={"include_finished": "true"}).get_json()["tasks"]
    assert tasks[0]["task_state"] == "FAILURE"
    assert "not published" in tasks[0]["error"]


def test_bearer_token_starts_and_lists_reports(app, client_as, course):
    from kampus.identity import tokens

    staff = client_as("staff")
    with app.app_context():
        kampus = app.extensions["kampus"]
        with kampus.db.session_scope() as db_session:
            user = db_session.get(type(staff.user), staff.user.id)
            _record, token = tokens.create_token(db_session, user, "reports")
    plain = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert plain.post(f"{API}/calculate_grades_csv", headers=headers).status_code == 200
    listed = plain.get(f"/api/instructor/v1/courses/{COURSE}/reports", headers=headers)
    assert listed.status_code == 200 and listed.get_json()["downloads"]


def test_endpoints_are_in_the_openapi_document(app, client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    for path in ("/courses/{course_id}/instructor/api/calculate_grades_csv",
                 "/courses/{course_id}/instructor/api/problem_grade_report",
                 "/courses/{course_id}/instructor/api/get_students_features/csv",
                 "/courses/{course_id}/instructor/api/get_problem_responses",
                 "/courses/{course_id}/instructor/api/list_report_downloads",
                 "/courses/{course_id}/instructor/api/list_instructor_tasks",
                 "/api/instructor/v1/courses/{course_id}/reports",
                 "/api/instructor/v1/courses/{course_id}/reports/{report_type}",
                 "/api/instructor/v1/courses/{course_id}/tasks",
                 "/api/instructor/v1/courses/{course_id}/tasks/{task_id}/cancel"):
        assert path in paths, path
    assert "post" in paths["/courses/{course_id}/instructor/api/calculate_grades_csv"]
