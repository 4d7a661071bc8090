"""Odd input on the grades, certificates, completion, bookmarks and course home APIs: never a 5xx, and every
answer matches its documented schema (``api_validate_responses`` turns a mismatch into a 500)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from kampus.testing import login, make_user

from .slice_b_kit import COURSE, enrolled, graded_block_installed, publish_graded_course

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")

ODD = ["", "x", "course-v1:A+B+C", "block-v1:A+B+C+type@vertical+block@u", "%00", "ü" * 300, "a,b", "-1",
       "0", "999999999999999999999", "null", "../../etc/passwd"]


@pytest.fixture
def kampus_settings() -> dict[str, Any]:
    return {"api_validate_responses": True}


@pytest.fixture(autouse=True)
def _graded_block() -> Iterator[None]:
    with graded_block_installed():
        yield


def _paths(username: str, odd: str) -> list[str]:
    return [
        f"/api/grades/v1/courses/{odd or 'x'}/", f"/api/grades/v1/courses/{COURSE}/?username={odd}",
        f"/api/grades/v1/courses/{COURSE}/?cursor={odd}&page_size={odd}", f"/api/grades/v1/courses/?course_id={odd}",
        f"/api/grades/v1/gradebook/{COURSE}/?username_contains={odd}&user_contains={odd}&cursor={odd}",
        f"/api/grades/v1/gradebook/{odd or 'x'}/",
        f"/api/certificates/v0/certificates/{odd or 'x'}/",
        f"/api/certificates/v0/certificates/{username}/courses/{odd or 'x'}/",
        f"/api/completion/v1/subsection-completion/{username}/{odd or 'x'}/{odd or 'x'}",
        f"/api/completion/v1/subsection-completion/{username}/{COURSE}/{odd or 'x'}",
        f"/api/bookmarks/v1/bookmarks/?course_id={odd}&fields={odd}&page={odd}&page_size={odd}",
        f"/api/bookmarks/v1/bookmarks/{username},{odd or 'x'}/",
        f"/api/course_home/v1/outline/{odd or 'x'}", f"/api/course_home/v1/progress/{odd or 'x'}",
        f"/api/course_home/v1/dates/{odd or 'x'}", f"/api/course_home/v1/progress/{COURSE}/{len(odd)}/",
        f"/api/course_home/v1/progress/{COURSE}/{odd or 'x'}/",
    ]


def test_odd_reads_never_fail(app: Flask) -> None:
    publish_graded_course(app)
    learner = enrolled(app)
    seen: set[int] = set()
    clients = [app.test_client(), login(app.test_client(), learner),
               login(app.test_client(), make_user(app, "global_staff"))]
    for client, odd in itertools.product(clients, ODD):
        for path in _paths(learner.username, odd):
            response = client.get(path)
            seen.add(response.status_code)
            assert response.status_code < 500, (path, response.get_data(as_text=True)[:500])
            assert response.is_json or response.status_code in (404, 405), path
    assert {200, 401, 403, 404} <= seen


BODIES: list[Any] = [None, [], "text", 3, {"usage_id": 3}, {"usage_id": ["a"]}, {"username": 1, "course_key": [],
                                                                                    "blocks": []},
                     {"username": "u", "course_key": COURSE, "blocks": {"x": {"nested": 1}}},
                     {"username": "u", "course_key": COURSE, "blocks": {"x": "NaN"}},
                     {"username": "a\x00b", "course_key": COURSE, "blocks": {}},
                     {"username": "u", "course_key": "course-v1:A+B+\x00", "blocks": {}}]


def test_odd_bodies_never_fail(app: Flask) -> None:
    publish_graded_course(app)
    learner = enrolled(app)
    for client in (login(app.test_client(), learner), login(app.test_client(), make_user(app, "global_staff"))):
        for body in BODIES:
            if isinstance(body, dict) and body.get("username") == "u":
                body = {**body, "username": learner.username}
            for path in ("/api/completion/v1/completion-batch", "/api/bookmarks/v1/bookmarks/"):
                response = client.post(path, json=body) if body is not None else client.post(
                    path, data="{not json", content_type="application/json")
                assert response.status_code < 500, (path, body, response.get_data(as_text=True)[:500])
                assert 400 <= response.status_code < 500, (path, body)
