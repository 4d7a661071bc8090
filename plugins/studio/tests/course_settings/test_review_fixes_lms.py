"""Regression from the review (issue 18, finding 5): an out-of-range ``days_early_for_beta`` that an OLX
import carries (Studio now refuses it) no longer breaks the LMS's grading once published (HTTP only)."""

from __future__ import annotations

from typing import Any

import pytest
from kampus_content.api import DRAFT, Block, edit_course, get_structure, publish
from kampus_content.testing.xblocks import publish_course

from kampus.testing import DEFAULT_COURSE

COURSE = DEFAULT_COURSE


@pytest.fixture
def kampus_plugins() -> list[str]:
    return ["content", "problems", "lms", "studio"]


@pytest.mark.parametrize("days", [1000000, "1e999"])
def test_a_huge_beta_days_does_not_break_the_progress_page(app: Any, client_as: Any, days: Any) -> None:
    publish_course(app, COURSE, {"unit1": [Block("problem", "p1", {
        "display_name": "P", "data": "<problem><stringresponse answer='a'><textline/></stringresponse></problem>"})]},
        course_fields={"display_name": "Beta course", "start": "2025-01-01T00:00:00Z"})
    with app.app_context():
        edit_course(COURSE, user_id=None, fields={"days_early_for_beta": days}, message="as an import would")
        publish(COURSE, user_id=None, expected_version=get_structure(COURSE, DRAFT).version)
    learner = client_as("learner", course_id=COURSE)
    assert learner.get(f"/courses/{COURSE}/progress").status_code == 200
    beta = client_as("beta_tester", course_id=COURSE)
    assert beta.get(f"/courses/{COURSE}/progress").status_code == 200
