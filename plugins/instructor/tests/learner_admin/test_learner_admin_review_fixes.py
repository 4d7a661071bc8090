"""Review of issue 19: a due date near the largest date is a 400 (not an overflow), booleans are not
scores."""

from __future__ import annotations

import pytest

from .conftest import COURSE, check, enrolled_learner, token_of

API = f"/courses/{COURSE}/instructor/api"


@pytest.mark.parametrize("due", ["9999-12-31T23:59:00-05:00", "12/31/9999 23:59", "0001-01-01T00:00:00+05:00"])
def test_a_due_date_out_of_range_is_refused(app, client, client_as, course, due):
    learner = enrolled_learner(app, client_as)
    _staff, headers = token_of(app, "staff")
    answer = client.post(f"{API}/change_due_date", headers=headers, data={
        "student": learner.user.username, "url": course["hw1"], "due_datetime": due})
    assert answer.status_code == 400, answer.get_data(as_text=True)
    assert "between the years" in answer.get_data(as_text=True)


@pytest.mark.parametrize("score", [True, False, "1e400", [1]])
def test_a_boolean_or_odd_value_is_not_a_score(app, client, client_as, course, score):
    learner = enrolled_learner(app, client_as)
    check(learner, course["capital"], "Paris")
    _staff, headers = token_of(app, "staff")
    answer = client.post(f"{API}/override_problem_score", headers=headers, json={
        "problem_to_reset": course["capital"], "unique_student_identifier": learner.user.username, "score": score})
    assert answer.status_code == 400, answer.get_data(as_text=True)
