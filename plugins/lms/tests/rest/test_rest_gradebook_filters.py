"""The gradebook API's filters, as Open edX's ``GradebookView`` takes them: ``cohort_id``, ``enrollment_mode``,
``assignment`` with ``assignment_grade_min``/``assignment_grade_max``, ``course_grade_min``/``course_grade_max``
(percentages of the stored grades, inclusive bounds) and ``excluded_course_roles``; ``total_users_count`` and
``filtered_users_count``; cursor pages that hold exactly the learners in range; a constant number of queries;
Open edX's 404 for an unknown cohort and a 400 (not Open edX's 500) for values that cannot be one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from kampus_lms.api import add_users_to_cohort, create_cohort, enroll, set_course_mode

from kampus.testing import login, make_user, recording_statements

from .slice_b_kit import COURSE, answer, check_shape, enrolled, graded_block_installed, publish_graded_course

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")

GRADEBOOK = f"/api/grades/v1/gradebook/{COURSE}/"
#: ``SectionBreakdownSerializer`` and ``StudentGradebookEntrySerializer``.
SECTION_BREAKDOWN = {"attempted": bool, "category": str, "label": str, "module_id": str, "percent": float,
                     "score_earned": float, "score_possible": float, "subsection_name": str}
GRADEBOOK_ENTRY = {"user_id": int, "username": str, "full_name": str, "email": str, "percent": float,
                   "section_breakdown": [SECTION_BREAKDOWN]}
#: ``CourseEnrollmentPagination.get_paginated_response`` with the gradebook's counts.
GRADEBOOK_PAGE = {"next": (str, None), "previous": (str, None), "results": [GRADEBOOK_ENTRY],
                  "total_users_count": int, "filtered_users_count": int}


@pytest.fixture
def kampus_settings() -> dict[str, Any]:
    return {"api_validate_responses": True}


@pytest.fixture(autouse=True)
def _graded_block() -> Iterator[None]:
    with graded_block_installed():
        yield


@pytest.fixture
def course(app: Flask) -> dict[str, Any]:
    """The graded course (two 2-point homeworks, the course grade their average) and its people, enrolled
    in this order: ``full`` (hw1 2/2: 50%), ``half`` (hw1 1/2: 25%), ``zero`` (hw1 0/2, attempted: 0%),
    ``idle`` (nothing answered: no stored grade), ``verified`` (both homeworks 2/2, verified mode: 100%),
    ``staff`` (course staff, hw1 2/2: 50%) and ``beta`` (a beta tester, nothing answered)."""
    ids = publish_graded_course(app)
    people: dict[str, Any] = {}
    for name, scores, mode in (("full", {"p1": 2.0}, "honor"), ("half", {"p1": 1.0}, "honor"),
                               ("zero", {"p1": 0.0}, "honor"), ("idle", {}, "honor"),
                               ("verified", {"p1": 2.0, "p2": 2.0}, "verified")):
        user = enrolled(app, mode=mode, username=f"learner_{name}")
        for block, earned in scores.items():
            answer(login(app.test_client(), user), ids[block], earned)
        people[name] = user
    for name, role in (("staff", "staff"), ("beta", "beta_tester")):
        user = make_user(app, role, COURSE, username=f"member_{name}")
        with app.app_context():
            set_course_mode(COURSE, "honor", "Honor")
            enroll(user, COURSE, "honor", check_access=False)
        people[name] = user
    answer(login(app.test_client(), people["staff"]), ids["p1"], 2.0)
    return {"ids": ids, "people": people, "client": login(app.test_client(), make_user(app, "instructor", COURSE))}


def names(body: dict[str, Any]) -> list[str]:
    return [row["username"].split("_", 1)[1] for row in body["results"]]


def listed(course: dict[str, Any], query: dict[str, Any]) -> dict[str, Any]:
    response = course["client"].get(GRADEBOOK, query_string={"page_size": 100, **query})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    check_shape(body, GRADEBOOK_PAGE)
    assert body["total_users_count"] == 7  # every active enrollment, whatever the filters
    assert body["filtered_users_count"] == len(body["results"])
    return body


def test_course_grade_bounds_are_inclusive_percentages_of_stored_grades(course: dict[str, Any]) -> None:
    assert names(listed(course, {})) == ["full", "half", "zero", "idle", "verified", "staff", "beta"]
    assert names(listed(course, {"course_grade_min": "50"})) == ["full", "verified", "staff"]
    assert names(listed(course, {"course_grade_min": "50.01"})) == ["verified"]
    # without a lower bound (or with 0) learners not graded yet (no stored grade: 0%) are kept, as in Open edX
    assert names(listed(course, {"course_grade_max": "25"})) == ["half", "zero", "idle", "beta"]
    assert names(listed(course, {"course_grade_min": "0", "course_grade_max": "25"})) == \
        ["half", "zero", "idle", "beta"]
    assert names(listed(course, {"course_grade_min": "10", "course_grade_max": "25"})) == ["half"]
    assert names(listed(course, {"course_grade_min": "25", "course_grade_max": "50"})) == ["full", "half", "staff"]
    assert names(listed(course, {"course_grade_min": "", "course_grade_max": ""})) == names(listed(course, {}))
    entry = listed(course, {"course_grade_min": "100"})["results"][0]
    assert (entry["user_id"], entry["percent"]) == (course["people"]["verified"].id, 1.0)
    assert entry["email"] == ""  # the masters track only, filters or not


def test_assignment_grade_bounds_filter_the_subsections_stored_grade(course: dict[str, Any]) -> None:
    hw1, hw2 = course["ids"]["hw1"], course["ids"]["hw2"]
    assert names(listed(course, {"assignment": hw1, "assignment_grade_min": "50"})) == \
        ["full", "half", "verified", "staff"]
    assert names(listed(course, {"assignment": hw1, "assignment_grade_max": "50"})) == ["half", "zero"]
    # never attempted: no stored grade, no percentage: left out even from 0..100 (Open edX's Exists)
    assert names(listed(course, {"assignment": hw1, "assignment_grade_min": "0", "assignment_grade_max": "100"})) \
        == ["full", "half", "zero", "verified", "staff"]
    assert names(listed(course, {"assignment": hw2, "assignment_grade_max": "100"})) == ["verified"]
    # a bound without an assignment, or an assignment without a bound, filters nothing (as in Open edX)
    assert len(listed(course, {"assignment_grade_min": "90"})["results"]) == 7
    assert len(listed(course, {"assignment": hw1})["results"]) == 7
    # an assignment of no stored grade (another course's block) keeps nobody
    other = hw1.replace("Rest201", "Other101")
    assert listed(course, {"assignment": other, "assignment_grade_min": "0"})["results"] == []


def test_an_override_counts_at_once_and_seven_of_ten_is_seventy(course: dict[str, Any]) -> None:
    hw1, people = course["ids"]["hw1"], course["people"]
    response = course["client"].post(f"/api/grades/v1/gradebook/{COURSE}/bulk-update", json=[
        {"user_id": people["idle"].id, "usage_id": hw1,
         "grade": {"earned_graded_override": 7, "possible_graded_override": 10, "comment": "oral exam"}},
        {"user_id": people["full"].id, "usage_id": hw1, "grade": {"earned_graded_override": 1.5, "comment": "late"}},
    ])
    assert response.status_code == 202, response.get_data(as_text=True)
    assert names(listed(course, {"assignment": hw1, "assignment_grade_min": "70", "assignment_grade_max": "70"})) \
        == ["idle"]
    # an override of the earned points alone keeps the computed possible points: 1.5 of 2
    assert names(listed(course, {"assignment": hw1, "assignment_grade_min": "75", "assignment_grade_max": "75"})) \
        == ["full"]
    assert names(listed(course, {"course_grade_min": "35", "course_grade_max": "35"})) == ["idle"]


def test_mode_cohort_and_course_roles(app: Flask, course: dict[str, Any]) -> None:
    people = course["people"]
    assert names(listed(course, {"enrollment_mode": "verified"})) == ["verified"]
    assert listed(course, {"enrollment_mode": "professional"})["results"] == []
    with app.test_request_context():
        cohort = create_cohort(COURSE, "Evening group")
        add_users_to_cohort(COURSE, cohort.id, [people["half"].username, people["staff"].username])
        empty = create_cohort(COURSE, "Nobody yet")
    assert names(listed(course, {"cohort_id": str(cohort.id)})) == ["half", "staff"]
    assert listed(course, {"cohort_id": str(empty.id)})["results"] == []
    assert names(listed(course, {"excluded_course_roles": "all"})) == ["full", "half", "zero", "idle", "verified"]
    assert "staff" not in names(listed(course, {"excluded_course_roles": "staff"}))
    assert "beta" in names(listed(course, {"excluded_course_roles": "staff"}))
    assert "beta" not in names(listed(course, {"excluded_course_roles": "beta_testers"}))  # Open edX's name
    both = course["client"].get(GRADEBOOK + "?excluded_course_roles=staff&excluded_course_roles=beta_tester")
    assert names(both.get_json()) == ["full", "half", "zero", "idle", "verified"]
    together = listed(course, {"cohort_id": str(cohort.id), "excluded_course_roles": "all",
                               "course_grade_max": "30", "user_contains": "LEARNER"})
    assert names(together) == ["half"]


def test_cursor_pages_of_a_grade_range_hold_exactly_the_learners_in_range(course: dict[str, Any]) -> None:
    client = course["client"]
    query = {"course_grade_max": "25", "excluded_course_roles": "all", "page_size": 1}
    seen, url = [], GRADEBOOK
    pages = []
    while url:
        response = client.get(url, query_string=query if url == GRADEBOOK else None)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        assert (body["total_users_count"], body["filtered_users_count"]) == (7, 3)
        pages.append(body)
        seen.extend(names(body))
        url = body["next"]
    assert seen == ["half", "zero", "idle"]
    back = client.get(pages[-1]["previous"]).get_json()
    assert names(back) == ["zero"]
    assert names(client.get(back["previous"]).get_json()) == ["half"]


def test_a_filtered_page_costs_the_same_whatever_its_size(app: Flask, course: dict[str, Any]) -> None:
    with app.test_request_context():
        cohort = create_cohort(COURSE, "Everyone")
        add_users_to_cohort(COURSE, cohort.id, [user.username for user in course["people"].values()])
    query = {"cohort_id": str(cohort.id), "enrollment_mode": "honor", "assignment": course["ids"]["hw1"],
             "assignment_grade_min": "0", "course_grade_max": "50", "excluded_course_roles": "beta_tester"}

    def count(size: int) -> int:
        with recording_statements(app) as statements:
            response = course["client"].get(GRADEBOOK, query_string={**query, "page_size": size})
            assert response.status_code == 200, response.get_data(as_text=True)
            assert len(response.get_json()["results"]) == size
        assert not statements.writes()
        return statements.count

    assert count(1) == count(4)


def test_bad_values_get_an_answer_not_a_traceback(course: dict[str, Any]) -> None:
    client, hw1 = course["client"], course["ids"]["hw1"]

    def error(query: dict[str, str], status: int) -> dict[str, Any]:
        response = client.get(GRADEBOOK, query_string=query)
        assert response.status_code == status, response.get_data(as_text=True)
        return response.get_json()

    assert error({"cohort_id": "987654"}, 404)["developer_message"] == \
        "CourseUserGroup matching query does not exist."
    assert error({"cohort_id": "99999999999999999999"}, 404)["developer_message"] == \
        "CourseUserGroup matching query does not exist."
    assert error({"cohort_id": "evening"}, 400)["error_code"] == "invalid_cohort_id"
    for name in ("course_grade_min", "course_grade_max"):
        for value in ("fifty", "nan", "inf"):
            body = error({name: value}, 400)
            assert body["error_code"] == "invalid_grade_bound" and name in body["developer_message"]
    assert error({"assignment": hw1, "assignment_grade_max": "lots"}, 400)["error_code"] == "invalid_grade_bound"
    assert error({"assignment": "not-a-block", "assignment_grade_min": "10"}, 400) == \
        {"developer_message": "Invalid UsageKey", "error_code": "invalid_usage_key",
         "error": {"status": 400, "message": "Invalid UsageKey"}}
    assert error({"course_grade_min": "50\x00"}, 200)["filtered_users_count"] == 3


def test_the_document_lists_the_filters(app: Flask) -> None:
    document = app.test_client().get("/api/openapi.json").get_json()
    parameters = {p["name"] for p in document["paths"]["/api/grades/v1/gradebook/{course_id}/"]["get"]["parameters"]}
    assert {"cohort_id", "enrollment_mode", "assignment", "assignment_grade_min", "assignment_grade_max",
            "course_grade_min", "course_grade_max", "excluded_course_roles"} <= parameters
