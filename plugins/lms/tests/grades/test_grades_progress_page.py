"""The progress page: the grade against the cutoffs, the chart and its table, each subsection's score
and problem scores, completion; staff see a learner's page; access; constant queries."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from kampus_lms.enrollment.api import enroll

from kampus.testing import client_as as login_as
from kampus.testing import make_user, recording_statements

from .conftest import COURSE, Sub, answer, publish

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")

POLICY = {"GRADER": [{"type": "Homework", "min_count": 2, "drop_count": 0, "short_label": "HW", "weight": 0.5},
                     {"type": "Exam", "min_count": 1, "drop_count": 0, "weight": 0.5}],
          "GRADE_CUTOFFS": {"A": 0.9, "Pass": 0.5}}


def spec(homeworks: int = 2, problems: int = 2) -> dict[str, list[Sub]]:
    return {
        "week1": [Sub(f"hw{i}", {f"p{i}_{j}": 2 for j in range(problems)}, "Homework", True,
                      due="2030-03-01T12:00:00Z", display_name=f"Homework {i}") for i in range(homeworks)]
        + [Sub("practice", {"q1": 1}, display_name="Practice")],
        "week2": [Sub("exam", {"e1": 10}, "Exam", True, display_name="Final exam")],
    }


@pytest.fixture
def course(app) -> dict[str, str]:
    return publish(app, spec(), policy=POLICY)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_the_progress_page_shows_grade_chart_scores_and_completion(app, client_as, course):
    learner = client_as("learner")
    answer(learner, course["p0_0"], 2)
    answer(learner, course["p0_1"], 0)  # hw0 2/4
    answer(learner, course["e1"], 10)  # exam 10/10
    page = learner.get(f"/courses/{COURSE}/progress")
    assert page.status_code == 200
    html = text(page)
    # HW (0.5 + 0) / 2 * 0.5 = 0.125, exam 0.5 -> 0.625 -> 0.63 -> Pass
    assert 'data-percent="0.63"' in html and 'data-letter="Pass"' in html and 'data-passed="true"' in html
    assert "63%" in html and "You are passing this course" in html
    assert ('Homework 0</a> <span class="lms-subsection-score"> — <span class="lms-subsection-label">HW 01</span>'
            ' — 2/4 (50%)') in html
    assert ('Problem Scores:</span> <span class="lms-problem-score me-2">2/2</span>'
            '<span class="lms-problem-score me-2">0/2</span>') in html
    assert "Practice Scores:" in html
    assert "HW Avg" in html and "Show the chart as a table" in html
    assert "Homework = 12.50% of a possible 50.00%" in html
    assert "Exam = 50.00% of a possible 50.00%" in html
    assert "<time" in html and "2030" in html  # the due date, in the user's zone
    assert 'id="lms-completion-summary"' in html and "3 of 6 activities completed" in html
    assert 'aria-current="page"' in html and 'data-tab-id="progress"' in html
    assert "<main" in text(page)


def test_an_unattempted_learner_sees_zero_against_the_cutoffs(app, client_as, course):
    html = text(client_as("learner").get(f"/courses/{COURSE}/progress"))
    assert 'data-percent="0.0"' in html and 'data-passed="false"' in html
    assert "A grade of 50% is needed to pass this course." in html
    assert "0/4 (0%)" in html


def test_scores_hidden_until_due_when_show_correctness_is_past_due(app, client_as):
    chapters = spec()
    publish(app, chapters, policy=POLICY)
    store_fields = {"show_correctness": "past_due"}
    publish(app, chapters, policy=POLICY, course_fields=store_fields)
    learner = client_as("learner")
    html = text(learner.get(f"/courses/{COURSE}/progress"))
    assert "Scores for this assignment are not shown yet." in html
    staff_html = text(client_as("staff").get(f"/courses/{COURSE}/progress"))
    assert "Scores for this assignment are not shown yet." not in staff_html


def test_staff_see_a_learners_progress_and_learners_may_not(app, client_as, course):
    learner = make_user(app, "user", username="ada")
    with app.app_context():
        enroll(learner, COURSE, check_access=False)
    learner_client = login_as(app, "learner")
    answer(login_as_user(app, learner), course["e1"], 10)
    staff = client_as("staff")
    page = staff.get(f"/courses/{COURSE}/progress/{learner.id}/")
    assert page.status_code == 200
    html = text(page)
    assert "Course progress for" in html and "Username: ada" in html and 'data-percent="0.5"' in html
    assert learner_client.get(f"/courses/{COURSE}/progress/{learner.id}/").status_code == 403
    assert staff.get(f"/courses/{COURSE}/progress/999999/").status_code == 404
    own = learner_client.get(f"/courses/{COURSE}/progress/{learner_client.user.id}/")
    assert own.status_code == 302 and own.headers["Location"].endswith(f"/courses/{COURSE}/progress")


def login_as_user(app, user):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    client.user = user
    return client


def test_visitors_and_strangers_are_sent_away_and_unknown_courses_are_404(app, client, client_as, course):
    visitor = client.get(f"/courses/{COURSE}/progress")
    assert visitor.status_code == 302 and "login" in visitor.headers["Location"]
    stranger = client_as("user").get(f"/courses/{COURSE}/progress")
    assert stranger.status_code == 302 and "/about" in stranger.headers["Location"]
    assert client_as("learner").get("/courses/course-v1:No+Such+Course/progress").status_code == 404
    assert client_as("learner").get("/courses/not-a-key/progress").status_code == 404


def test_the_page_costs_the_same_queries_whatever_the_course_size(app, client_as):
    counts = []
    for homeworks, problems, course_id in ((1, 1, "course-v1:X+Small+1"), (12, 8, "course-v1:X+Big+1")):
        ids = publish(app, spec(homeworks, problems), policy=POLICY, course_id=course_id)
        learner = client_as("learner", course_id=course_id)
        for key, usage_id in ids.items():
            if key.startswith("p") and key[1].isdigit():
                answer(learner, usage_id, 1)
        assert learner.get(f"/courses/{course_id}/progress").status_code == 200  # warm: caches, rows
        with recording_statements(app) as recorder:
            assert learner.get(f"/courses/{course_id}/progress").status_code == 200
        counts.append(recorder.count)
    assert counts[0] == counts[1], counts



#: What the progress page of a learner whose grade is stored reads, one statement each (an added
#: statement makes this test fail: say here why the page needs it).
PROGRESS_PAGE_READS = [
    "kampus_user",  # the session's user
    "lms_course_overviews", "content_course_index",  # the course (overview checked against the published version)
    "kampus_course_access_role", "lms_course_enrollment",  # access: roles, enrollment
    "content_score", "lms_grades_subsection_override",  # the grade's inputs
    "kampus_user_preference",  # locale and time zone
    "lms_grades_course",  # the stored grade (unchanged: nothing written)
    "content_block_completion", "lms_due_date_extension", "lms_generated_certificate",
]


def test_the_page_of_an_unchanged_grade_reads_each_row_once_on_one_connection(app, client_as, course):
    learner = client_as("learner")
    answer(learner, course["p0_0"], 2)
    assert learner.get(f"/courses/{COURSE}/progress").status_code == 200  # stores the grade
    engine = app.extensions["kampus"].db.engine
    checkouts = []

    def checked_out(*_args):
        checkouts.append(1)

    sa.event.listen(engine, "checkout", checked_out)
    try:
        with recording_statements(app) as recorder:
            assert learner.get(f"/courses/{COURSE}/progress").status_code == 200
    finally:
        sa.event.remove(engine, "checkout", checked_out)
    assert recorder.tables() == PROGRESS_PAGE_READS, "\n".join(recorder.queries)
    # the request's session and the content store's read of the course index; the overrides and the stored
    # grade (when it is this one) are read in the request's session: no session of their own, no lock
    assert len(checkouts) == 2
