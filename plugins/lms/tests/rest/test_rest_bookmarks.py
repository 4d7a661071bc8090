"""Open edX's bookmarks API: create, list (course filter, optional fields, pages), read and delete one, with
Open edX's error bodies and its ``edx.bookmark.*`` events."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from kampus.testing import login, make_user, recording_statements

from .slice_b_kit import (
    COURSE,
    DRF_DATETIME,
    check_shape,
    enrolled,
    graded_block_installed,
    mobile_client,
    publish_graded_course,
    token_headers,
)

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")

LIST = "/api/bookmarks/v1/bookmarks/"
#: ``BookmarkSerializer`` with its default fields, and with ``fields=display_name,path``.
BOOKMARK = {"id": str, "course_id": str, "usage_id": str, "block_type": str, "created": DRF_DATETIME}
FULL_BOOKMARK = {**BOOKMARK, "display_name": str, "path": [{"usage_id": str, "display_name": str}]}
#: edx-drf-extensions' ``DefaultPagination`` plus ``BookmarksPagination``'s ``current_page`` and ``start``.
PAGE = {"count": int, "num_pages": int, "current_page": int, "start": int, "next": (str, None),
        "previous": (str, None), "results": [BOOKMARK]}


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


def test_a_learner_bookmarks_lists_reads_and_deletes_with_a_token(app: Flask, ids: dict[str, str],
                                                                  events: Any) -> None:
    learner = enrolled(app)
    client = app.test_client()
    headers = token_headers(client, mobile_client(app), learner.username)
    made = client.post(LIST, json={"usage_id": ids["hw1_u"]}, headers=headers)
    assert made.status_code == 201, made.get_data(as_text=True)
    body = made.get_json()
    check_shape(body, FULL_BOOKMARK)
    assert body["id"] == f"{learner.username},{ids['hw1_u']}"
    assert (body["course_id"], body["usage_id"], body["block_type"], body["display_name"]) == (
        COURSE, ids["hw1_u"], "vertical", "HW1 unit")
    assert body["path"] == [{"usage_id": ids["week1"], "display_name": "Week 1"},
                            {"usage_id": ids["hw1"], "display_name": "Homework 1"}]
    assert client.post(LIST, json={"usage_id": ids["intro_u"]}, headers=headers).status_code == 201

    listed = client.get(LIST, query_string={"course_id": COURSE}, headers=headers)
    assert listed.status_code == 200
    page = listed.get_json()
    check_shape(page, PAGE)
    assert [item["usage_id"] for item in page["results"]] == [ids["intro_u"], ids["hw1_u"]]  # newest first
    full = client.get(LIST, query_string={"fields": "display_name,path", "page_size": 1}, headers=headers).get_json()
    check_shape(full, {**PAGE, "results": [FULL_BOOKMARK]})
    assert (full["count"], full["num_pages"], full["current_page"], full["start"]) == (2, 2, 1, 0)
    assert full["next"] is not None and full["previous"] is None
    assert client.get(full["next"], headers=headers).get_json()["start"] == 1
    assert [event["event"]["list_type"] for event in events.of_type("edx.bookmark.listed")] == [
        "per_course", "all_courses", "all_courses"]

    detail = f"{LIST}{learner.username},{ids['hw1_u']}/"
    one = client.get(detail, headers=headers)
    assert one.status_code == 200
    check_shape(one.get_json(), BOOKMARK)
    assert client.delete(detail, headers=headers).status_code == 204
    gone = client.get(detail, headers=headers)
    assert gone.status_code == 404
    assert gone.get_json()["developer_message"] == f"Bookmark with usage_id: {ids['hw1_u']} does not exist."
    assert len(events.of_type("edx.bookmark.removed")) == 1


@pytest.mark.parametrize(("data", "message"), [
    ({}, "No data provided."),
    ({"other": "x"}, "Parameter usage_id not provided."),
    ({"usage_id": "nonsense"}, "Invalid usage_id: nonsense."),
])
def test_bad_posts(app: Flask, ids: dict[str, str], data: dict[str, Any], message: str) -> None:
    client = login(app.test_client(), enrolled(app))
    response = client.post(LIST, json=data)
    assert response.status_code == 400
    body = response.get_json()
    assert body["developer_message"] == message
    assert body["user_message"] == "An error has occurred. Please try again."


def test_only_units_the_learner_may_open(app: Flask, ids: dict[str, str]) -> None:
    enrolled_client = login(app.test_client(), enrolled(app))
    problem = enrolled_client.post(LIST, json={"usage_id": ids["p1"]})
    assert problem.status_code == 400
    assert problem.get_json()["developer_message"] == f"Block with usage_id: {ids['p1']} not found."
    outsider = login(app.test_client(), make_user(app, "user"))
    assert outsider.post(LIST, json={"usage_id": ids["hw1_u"]}).status_code == 400
    assert app.test_client().get(LIST).status_code == 401


def test_another_users_bookmark_is_not_found(app: Flask, ids: dict[str, str]) -> None:
    owner = enrolled(app)
    login(app.test_client(), owner).post(LIST, json={"usage_id": ids["hw1_u"]})
    other = login(app.test_client(), enrolled(app))
    for method in ("get", "delete"):
        response = getattr(other, method)(f"{LIST}{owner.username},{ids['hw1_u']}/")
        assert response.status_code == 404
    bad = login(app.test_client(), owner).get(f"{LIST}{owner.username},nonsense/")
    assert (bad.status_code, bad.get_json()["developer_message"]) == (404, "Invalid usage_id: nonsense.")


def test_the_list_costs_the_same_whatever_its_length(app: Flask, ids: dict[str, str]) -> None:
    learner = enrolled(app)
    client = login(app.test_client(), learner)

    def count() -> int:
        with recording_statements(app) as statements:
            assert client.get(LIST, query_string={"fields": "path"}).status_code == 200
        return statements.count

    client.post(LIST, json={"usage_id": ids["hw1_u"]})
    one = count()
    client.post(LIST, json={"usage_id": ids["hw2_u"]})
    client.post(LIST, json={"usage_id": ids["intro_u"]})
    assert count() == one
    assert client.get(LIST, query_string={"page": 9}).status_code == 404
