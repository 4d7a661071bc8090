"""Ids in URLs that no database column can hold (beyond 2**31-1) are a 404, not a database error."""

from __future__ import annotations

import pytest

from kampus.testing import DEFAULT_COURSE

from .conftest import Sub, publish

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")

HUGE = "99999999999999999999999"


@pytest.mark.parametrize("student_id", [HUGE, str(2**31), str(2**63)])
def test_a_huge_student_id_is_not_found(client_as, course, student_id):
    staff = client_as("staff")
    assert staff.get(f"/courses/{DEFAULT_COURSE}/progress/{student_id}/").status_code == 404


def test_the_largest_column_value_still_reaches_the_view(client_as, course):
    staff = client_as("staff")
    assert staff.get(f"/courses/{DEFAULT_COURSE}/progress/{2**31 - 1}/").status_code == 404  # no such learner


def test_a_huge_unit_position_is_not_found(client_as, course):
    learner = client_as("learner")
    response = learner.get(f"/courses/{DEFAULT_COURSE}/courseware/c/s/{HUGE}")
    assert response.status_code == 404


@pytest.fixture
def course(app) -> dict[str, str]:
    return publish(app, {"week1": [Sub("hw", {"p1": 1}, "Homework", True)]})
