"""Open edX's grades REST API: course grades (one learner, every learner paged) and the gradebook, with
session, bearer and JWT authentication, Open edX's permissions, error bodies and shapes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from openapi_spec_validator import validate

from kampus.testing import login, make_user, recording_statements

from .slice_b_kit import (
    COURSE,
    answer,
    check_shape,
    enrolled,
    graded_block_installed,
    mobile_client,
    publish_graded_course,
    token_headers,
)

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")

#: ``_serialize_user_grade`` (lms/djangoapps/grades/rest_api/v1/utils.py).
USER_GRADE = {"username": str, "email": str, "course_id": str, "passed": bool, "percent": float,
              "letter_grade": (str, None)}
#: ``SectionBreakdownSerializer``.
SECTION_BREAKDOWN = {"attempted": bool, "category": str, "label": str, "module_id": str, "percent": float,
                     "score_earned": float, "score_possible": float, "subsection_name": str}
#: ``StudentGradebookEntrySerializer``.
GRADEBOOK_ENTRY = {"user_id": int, "username": str, "full_name": str, "email": str, "percent": float,
                   "section_breakdown": [SECTION_BREAKDOWN]}


@pytest.fixture
def kampus_settings() -> dict[str, Any]:
    return {"api_validate_responses": True}


@pytest.fixture(autouse=True)
def _graded_block() -> Iterator[None]:
    with graded_block_installed():
        yield


@pytest.fixture
def ids(app: Flask) -> dict[str, str]:
    return publish_graded_course(app)


def _learner_with_score(app: Flask, ids: dict[str, str], earned: float = 2.0, **fields: Any) -> Any:
    user = enrolled(app, **fields)
    answer(login(app.test_client(), user), ids["p1"], earned)
    return user


def test_a_learner_reads_their_own_grade_with_a_bearer_token_and_a_jwt(app: Flask, ids: dict[str, str]) -> None:
    learner = _learner_with_score(app, ids)
    client = app.test_client()
    client_id = mobile_client(app)
    for jwt in (False, True):
        headers = token_headers(client, client_id, learner.username, jwt=jwt)
        response = client.get(f"/api/grades/v1/courses/{COURSE}/?username={learner.username}", headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        assert isinstance(body, list) and len(body) == 1
        check_shape(body[0], USER_GRADE)
        # hw1 2/2 of two homeworks averaged: 0.5, the Pass cutoff
        assert body[0] == {"username": learner.username, "email": "", "course_id": COURSE, "passed": True,
                           "percent": 0.5, "letter_grade": "Pass"}
    same = client.get("/api/grades/v1/courses/", query_string={"course_id": COURSE, "username": learner.username},
                      headers=headers)
    assert same.get_json() == body


def test_a_learner_may_not_read_others_nor_the_whole_list(app: Flask, ids: dict[str, str]) -> None:
    learner = _learner_with_score(app, ids)
    other = enrolled(app)
    client = login(app.test_client(), learner)
    for query in (f"?username={other.username}", ""):
        response = client.get(f"/api/grades/v1/courses/{COURSE}/{query}")
        assert response.status_code == 403
        assert response.get_json()["developer_message"] == "You do not have permission to perform this action."


def test_errors_keep_open_edx_bodies(app: Flask, ids: dict[str, str]) -> None:
    staff = login(app.test_client(), make_user(app, "global_staff"))
    anonymous = app.test_client().get(f"/api/grades/v1/courses/{COURSE}/")
    assert anonymous.status_code == 401
    assert anonymous.get_json()["developer_message"] == "Authentication credentials were not provided."
    bad = staff.get("/api/grades/v1/courses/not-a-course/")
    assert bad.status_code == 404
    assert bad.get_json()["error_code"] == "invalid_course_key"
    unknown = staff.get("/api/grades/v1/courses/course-v1:Nobody+None+2020/")
    assert unknown.status_code == 404
    assert unknown.get_json()["developer_message"] == "Requested grade for unknown course course-v1:Nobody+None+2020"
    no_user = staff.get(f"/api/grades/v1/courses/{COURSE}/?username=nobody_at_all")
    assert (no_user.status_code, no_user.get_json()["error_code"]) == (404, "user_does_not_exist")
    outsider = make_user(app, "user")
    not_enrolled = staff.get(f"/api/grades/v1/courses/{COURSE}/?username={outsider.username}")
    assert (not_enrolled.status_code, not_enrolled.get_json()["error_code"]) == (404, "user_not_enrolled")


def test_staff_list_every_learner_by_cursor_pages_in_constant_queries(app: Flask, ids: dict[str, str]) -> None:
    learners = [_learner_with_score(app, ids, earned) for earned in (2.0, 1.0, 0.0)]
    masters = enrolled(app, mode="masters")
    staff = login(app.test_client(), make_user(app, "global_staff"))
    first = staff.get(f"/api/grades/v1/courses/{COURSE}/?page_size=2")
    assert first.status_code == 200, first.get_data(as_text=True)
    page = first.get_json()
    check_shape(page, {"next": (str, None), "previous": (str, None), "results": [USER_GRADE]})
    assert [row["username"] for row in page["results"]] == [learners[0].username, learners[1].username]
    assert page["previous"] is None and page["next"].startswith("http")
    assert [row["percent"] for row in page["results"]] == [0.5, 0.25]
    second = staff.get(page["next"]).get_json()
    assert [row["username"] for row in second["results"]] == [learners[2].username, masters.username]
    assert second["next"] is None
    assert [row["email"] for row in second["results"]] == ["", masters.email]  # the masters track only
    back = staff.get(second["previous"]).get_json()
    assert [row["username"] for row in back["results"]] == [learners[0].username, learners[1].username]

    def count(size: int) -> int:
        with recording_statements(app) as statements:
            assert staff.get(f"/api/grades/v1/courses/{COURSE}/?page_size={size}").status_code == 200
        assert not statements.writes()
        return statements.count

    assert count(1) == count(4)
    assert staff.get(f"/api/grades/v1/courses/{COURSE}/?cursor=@@@").status_code == 404


def test_course_staff_reads_the_gradebook(app: Flask, ids: dict[str, str]) -> None:
    learner = _learner_with_score(app, ids, 1.0, name="Ada Learner")
    other = enrolled(app, username="zed_other")
    instructor = login(app.test_client(), make_user(app, "instructor", COURSE))
    response = instructor.get(f"/api/grades/v1/gradebook/{COURSE}/")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    check_shape(body, {"next": (str, None), "previous": (str, None), "results": [GRADEBOOK_ENTRY],
                       "total_users_count": int, "filtered_users_count": int})
    assert body["total_users_count"] == body["filtered_users_count"] == 2
    entry = body["results"][0]
    assert (entry["username"], entry["full_name"], entry["percent"]) == (learner.username, "Ada Learner", 0.25)
    assert entry["section_breakdown"] == [
        {"attempted": True, "category": "Homework", "label": "HW 01", "module_id": ids["hw1"], "percent": 0.5,
         "score_earned": 1.0, "score_possible": 2.0, "subsection_name": "Homework 1"},
        {"attempted": False, "category": "Homework", "label": "HW 02", "module_id": ids["hw2"], "percent": 0.0,
         "score_earned": 0.0, "score_possible": 0.0, "subsection_name": "Homework 2"},
    ]
    filtered = instructor.get(f"/api/grades/v1/gradebook/{COURSE}/?username_contains=ZED").get_json()
    assert [row["username"] for row in filtered["results"]] == [other.username]
    assert (filtered["total_users_count"], filtered["filtered_users_count"]) == (2, 1)
    single = instructor.get(f"/api/grades/v1/gradebook/{COURSE}/?username={learner.username}")
    assert single.status_code == 200
    check_shape(single.get_json(), GRADEBOOK_ENTRY)
    refused = login(app.test_client(), learner).get(f"/api/grades/v1/gradebook/{COURSE}/")
    assert refused.status_code == 403
    assert refused.get_json()["error_code"] == "user_permissions"


def test_a_gradebook_page_costs_the_same_whatever_its_size(app: Flask, ids: dict[str, str]) -> None:
    for earned in (2.0, 1.0, 0.0, 2.0):
        _learner_with_score(app, ids, earned)
    instructor = login(app.test_client(), make_user(app, "instructor", COURSE))

    def count(size: int) -> int:
        with recording_statements(app) as statements:
            response = instructor.get(f"/api/grades/v1/gradebook/{COURSE}/?page_size={size}&user_contains=user")
            assert response.status_code == 200
            assert len(response.get_json()["results"]) == size
        assert not statements.writes()
        return statements.count

    assert count(1) == count(4)


def test_the_document_declares_slice_b_endpoints_with_their_answers(app: Flask) -> None:
    document = app.test_client().get("/api/openapi.json").get_json()
    validate(document)
    paths = document["paths"]
    wanted = {
        "/api/grades/v1/courses/": "get", "/api/grades/v1/courses/{course_id}/": "get",
        "/api/grades/v1/gradebook/{course_id}/": "get",
        "/api/certificates/v0/certificates/{username}/courses/{course_id}/": "get",
        "/api/certificates/v0/certificates/{username}/": "get",
        "/api/completion/v1/completion-batch": "post",
        "/api/completion/v1/subsection-completion/{username}/{course_key}/{subsection_id}": "get",
        "/api/bookmarks/v1/bookmarks/": "post", "/api/bookmarks/v1/bookmarks/{username},{usage_id}/": "delete",
        "/api/course_home/v1/outline/{course_id}": "get", "/api/course_home/v1/progress/{course_id}": "get",
        "/api/course_home/v1/progress/{course_id}/{student_id}/": "get",
        "/api/course_home/v1/dates/{course_id}": "get", "/api/course_home/dates/{course_id}": "get",
    }
    for path, method in wanted.items():
        assert path in paths, path
        answers = paths[path][method]["responses"]
        ok = answers.get("200") or answers.get("201") or answers.get("204")
        assert ok is not None, (path, answers)
        assert "204" in answers or "content" in ok, path
