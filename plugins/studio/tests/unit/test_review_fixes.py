"""Regressions from the review of the unit editor (issue 18): non-finite numbers, lone surrogates, display
name lengths and who may use the Markdown preview."""

from __future__ import annotations

import json
from typing import Any

import pytest
from kampus_content.api import DRAFT, get_structure
from kampus_content.store.interface import Block
from kampus_content.testing.xblocks import publish_course

from .conftest import COURSE

API = f"/api/studio/v1/courses/{COURSE}"
MARKDOWN = "/api/studio/v1/problem_markdown"


@pytest.fixture
def problem(app: Any, course: Any) -> str:
    ids = publish_course(app, "course-v1:P+P1+2026", {"u": [Block("problem", "p1", {
        "display_name": "P", "data": "<problem><stringresponse answer='a'><textline/></stringresponse></problem>"})]})
    return ids["p1"]


def _draft_version(app: Any, course_id: str = COURSE) -> str:
    with app.app_context():
        return get_structure(course_id, DRAFT).version


@pytest.mark.parametrize("weight", ["1e999", "nan", "inf", "-Infinity", "1e12"])
def test_non_finite_or_huge_weights_are_refused(app, client_as, problem, weight):
    author = client_as("staff", course_id="course-v1:P+P1+2026")
    url = f"/api/studio/v1/courses/course-v1:P+P1+2026/components/{problem}"
    before = _draft_version(app, "course-v1:P+P1+2026")
    answer = author.patch(url, json={"settings": {"weight": weight}})
    assert answer.status_code == 400
    assert "settings.weight" in answer.get_json()["field_errors"]
    assert _draft_version(app, "course-v1:P+P1+2026") == before
    shown = author.get(url).get_data(as_text=True)
    json.loads(shown, parse_constant=lambda name: pytest.fail(f"{name} in the component's JSON"))


def test_a_finite_weight_is_saved(app, client_as, problem):
    author = client_as("staff", course_id="course-v1:P+P1+2026")
    url = f"/api/studio/v1/courses/course-v1:P+P1+2026/components/{problem}"
    assert author.patch(url, json={"settings": {"weight": "2.5"}}).status_code == 200


@pytest.mark.parametrize("path,method,body", [
    ("units/{unit1}", "PATCH", '{"display_name": "bad\\ud800name"}'),
    ("components/{intro}", "PATCH", '{"data": "<p>\\ud800</p>"}'),
    ("components/{intro}", "PATCH", '{"display_name": "x\\udfff"}'),
])
def test_lone_surrogates_are_refused_and_nothing_is_written(app, author, course, path, method, body):
    before = _draft_version(app)
    answer = author.open(f"{API}/{path.format(**course)}", method=method, data=body.encode(),
                         content_type="application/json")
    assert answer.status_code == 400
    assert _draft_version(app) == before
    assert author.get(f"/studio/course/{COURSE}/unit/{course['unit1']}").status_code == 200


def test_markdown_preview_refuses_lone_surrogates(app, author, course):
    answer = author.open(MARKDOWN, method="POST", data=b'{"markdown": "\\ud800"}', content_type="application/json")
    assert answer.status_code == 400


def test_markdown_preview_is_for_course_authors_only(app, client_as, author, course):
    body = {"markdown": ">>q<<\n( ) a\n(x) b"}
    assert author.post(MARKDOWN, json=body).status_code == 200
    assert author.post(MARKDOWN, json={**body, "course_id": COURSE}).status_code == 200
    learner = client_as("learner", course_id=COURSE)
    assert learner.post(MARKDOWN, json=body).status_code == 403
    assert learner.post(MARKDOWN, json={**body, "course_id": COURSE}).status_code == 403
    assert author.post(MARKDOWN, json={**body, "course_id": "course-v1:Other+O+1"}).status_code == 403
    assert app.test_client().post(MARKDOWN, json=body).status_code in (400, 401)


@pytest.mark.parametrize("target,field", [("units/{unit1}", "display_name"), ("components/{intro}", "display_name")])
def test_display_names_are_at_most_255_characters(app, author, course, target, field):
    before = _draft_version(app)
    answer = author.patch(f"{API}/{target.format(**course)}", json={field: "x" * 256})
    assert answer.status_code == 400
    assert "display_name" in answer.get_json()["field_errors"]
    assert _draft_version(app) == before
    assert author.patch(f"{API}/{target.format(**course)}", json={field: "y" * 255}).status_code == 200


def test_component_display_name_setting_is_at_most_255_characters(app, author, course):
    answer = author.patch(f"{API}/components/{course['intro']}", json={"settings": {"display_name": "x" * 300}})
    assert answer.status_code == 400


def test_anonymous_visitors_of_the_unit_page_go_to_the_login_page(app, course):
    answer = app.test_client().get(f"/studio/course/{COURSE}/unit/{course['unit1']}")
    assert answer.status_code == 302
    assert "login" in answer.headers["Location"]
