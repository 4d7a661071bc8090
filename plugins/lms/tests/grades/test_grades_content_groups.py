"""Grades in a course that restricts blocks to content groups: each learner's grade counts the blocks of
their cohort's group, and grading many learners at once reads all their groups in one query (as their
scores and overrides), not one query per learner."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from kampus_lms.api import add_users_to_cohort, course_grades_of, create_cohort, enroll, set_cohorted

from kampus.testing import make_user, recording_statements

from .conftest import COURSE, Sub, answer, publish

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")

PARTITION = 50
PARTITIONS = [{"id": PARTITION, "name": "Content Groups", "scheme": "cohort", "description": "", "version": 3,
               "parameters": {}, "active": True,
               "groups": [{"id": 1, "name": "Group A", "version": 1}, {"id": 2, "name": "Group B", "version": 1}]}]
POLICY = {"GRADER": [{"type": "Homework", "min_count": 1, "drop_count": 0, "short_label": "HW", "weight": 1.0}],
          "GRADE_CUTOFFS": {"Pass": 0.5}}


@pytest.fixture
def course(app: Flask) -> dict[str, str]:
    """One graded homework: ``p_all`` (2 points) for everyone, ``p_a`` (2) for group A, ``p_b`` (6) for group B."""
    homework = Sub("hw", {"p_all": 2, "p_a": 2, "p_b": 6}, "Homework", True,
                   units={"u_all": ["p_all"], "u_a": ["p_a"], "u_b": ["p_b"]},
                   unit_fields={"u_a": {"group_access": {str(PARTITION): [1]}},
                                "u_b": {"group_access": {str(PARTITION): [2]}}})
    return publish(app, {"week1": [homework]}, policy=POLICY, course_fields={"user_partitions": PARTITIONS})


def _learners(app: Flask, client_as: Any, course: dict[str, str], count: int) -> dict[str, list[Any]]:
    """``count`` learners in each of: the cohort of group A, the cohort of group B, no linked cohort; each
    earned the 2 points of ``p_all``."""
    found: dict[str, list[Any]] = {"a": [], "b": [], "none": []}
    for kind in found:
        for _ in range(count):
            client = client_as("learner")
            answer(client, course["p_all"], 2)
            found[kind].append(client.user)
    with app.test_request_context():
        set_cohorted(COURSE, True)
        for kind, group in (("a", 1), ("b", 2)):
            cohort = create_cohort(COURSE, f"Cohort {kind} {count}", group_id=group, user_partition_id=PARTITION)
            result = add_users_to_cohort(COURSE, cohort.id, [user.username for user in found[kind]])
            assert len(result["added"]) == count, result
    return found


def test_each_learner_is_graded_on_their_groups_blocks_and_a_batch_reads_groups_once(
        app: Flask, client_as: Any, course: dict[str, str]) -> None:
    small = _learners(app, client_as, course, 1)
    large = _learners(app, client_as, course, 3)
    staff = make_user(app, "staff", COURSE)

    def graded(learners: dict[str, list[Any]]) -> tuple[dict[int, Any], int, list[str]]:
        users = [user for group in learners.values() for user in group]
        with app.app_context():
            course_grades_of(COURSE, users)  # warm the course's cached structure and possible points
        with app.app_context(), recording_statements(app) as recorder:
            grades = course_grades_of(COURSE, users)
        assert recorder.writes() == []
        return grades, recorder.count, recorder.queries

    small_grades, small_count, _ = graded(small)
    large_grades, large_count, statements = graded(large)
    assert large_count == small_count, statements
    assert len([sql for sql in statements if "lms_cohort_content_group" in sql]) == 1, statements

    # group A counts p_all and p_a (2 of 4), group B p_all and p_b (2 of 8), no group p_all only (2 of 2)
    for learners, grades in ((small, small_grades), (large, large_grades)):
        assert {grades[user.id].percent for user in learners["a"]} == {0.5}
        assert {grades[user.id].percent for user in learners["b"]} == {0.25}
        assert {grades[user.id].percent for user in learners["none"]} == {1.0}
    with app.app_context():
        assert course_grades_of(COURSE, [staff])[staff.id].percent == 0.0  # graded as a learner: no group


def _percent(client: Any) -> float:
    page = client.get(f"/courses/{COURSE}/progress").get_data(as_text=True)
    return float(page.split('id="lms-current-grade" data-percent="', 1)[1].split('"', 1)[0])


def test_staff_viewing_as_a_content_group_see_the_progress_of_that_group(
        app: Flask, client_as: Any, course: dict[str, str]) -> None:
    """The progress page follows "View this course as: Learner in <group>" as the outline does: the staff
    member's own answers, counted over that group's blocks; as a learner of no group, over no group's blocks,
    whatever the staff member's own cohort."""
    staff = client_as("staff", COURSE)
    answer(staff, course["p_all"], 2)
    with app.test_request_context():
        set_cohorted(COURSE, True)
        cohort = create_cohort(COURSE, "Staff in B", group_id=2, user_partition_id=PARTITION)
        add_users_to_cohort(COURSE, cohort.id, [staff.user.username])
    for choice, percent in (("group:50:1", 0.5), ("group:50:2", 0.25), ("student", 1.0)):
        assert staff.post(f"/courses/{COURSE}/masquerade", data={"role": choice}).status_code == 302
        assert _percent(staff) == percent, choice
        # the learning MFE's progress tab follows the same masquerade (Open edX's setup_masquerade)
        api = staff.get(f"/api/course_home/v1/progress/{COURSE}").get_json()
        assert api["course_grade"]["percent"] == percent, choice
    staff.post(f"/courses/{COURSE}/masquerade", data={"role": "staff"})
    assert _percent(staff) == 0.2  # staff count every group's blocks: 2 of 10
    with app.app_context():
        # the staff member's own grade as a learner is that of their own cohort's group B: 2 of 8
        assert course_grades_of(COURSE, [staff.user])[staff.user.id].percent == 0.25


def test_the_progress_api_under_a_specific_learner_masquerade_shows_that_learner(
        app: Flask, client_as: Any, course: dict[str, str]) -> None:
    learners = _learners(app, client_as, course, 1)
    learner = learners["a"][0]
    with app.test_request_context():
        enroll(learner, COURSE, check_access=False)  # a specific learner to view as must be enrolled
    staff = client_as("staff", COURSE)
    assert staff.post(f"/courses/{COURSE}/masquerade",
                      data={"role": "specific", "user_name": learner.username}).status_code == 302
    api = staff.get(f"/api/course_home/v1/progress/{COURSE}").get_json()
    assert api["username"] == learner.username and api["course_grade"]["percent"] == 0.5  # group A: 2 of 4
    staff.post(f"/courses/{COURSE}/masquerade", data={"role": "staff"})
    assert staff.get(f"/api/course_home/v1/progress/{COURSE}").get_json()["username"] == staff.user.username
