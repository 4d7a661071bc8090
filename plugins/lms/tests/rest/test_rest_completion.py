"""Open edX's completion API: the batch of completions (validation, permissions, all or nothing) and the
subsection completion read."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from kampus_content.api import course_completions

from kampus.testing import login, make_user

from .slice_b_kit import COURSE, enrolled, graded_block_installed, mobile_client, publish_graded_course, token_headers

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")

BATCH = "/api/completion/v1/completion-batch"


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


def _stored(app: Flask, user: Any) -> dict[str, float]:
    with app.app_context():
        return course_completions(COURSE, [user.id])[user.id]


def test_a_learner_sends_a_batch_with_a_token_and_reads_the_subsection(app: Flask, ids: dict[str, str]) -> None:
    learner = enrolled(app)
    client = app.test_client()
    headers = token_headers(client, mobile_client(app), learner.username)
    sub = f"/api/completion/v1/subsection-completion/{learner.username}/{COURSE}/{ids['hw1']}"
    assert client.get(sub, headers=headers).get_json() == {"completion": False}
    response = client.post(BATCH, json={"username": learner.username, "course_key": COURSE,
                                        "blocks": {ids["p1"]: 1.0, ids["p0"]: 0.5}}, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["detail"] == "ok"
    assert _stored(app, learner) == {ids["p1"]: 1.0, ids["p0"]: 0.5}
    assert client.get(sub, headers=headers).get_json() == {"completion": True}
    intro = f"/api/completion/v1/subsection-completion/{learner.username}/{COURSE}/{ids['intro']}"
    assert client.get(intro, headers=headers).get_json() == {"completion": False}


@pytest.mark.parametrize(("change", "status", "detail"), [
    ({"blocks": None}, 400, "Key 'blocks' not found."),
    ({"course_key": "nonsense"}, 400, "Invalid course key: nonsense"),
    ({"blocks": {"not-a-key": 1.0}}, 400, "Invalid block key: not-a-key"),
    ({"blocks": {"block-v1:Other+X+1+type@html+block@a": 1.0}}, 400,
     f"Block with key: 'block-v1:Other+X+1+type@html+block@a' is not in course {COURSE}"),
    ({"username": "nobody_at_all"}, 404, "User matching query does not exist."),
])
def test_bad_batches_get_open_edx_answers_and_write_nothing(app: Flask, ids: dict[str, str], change: dict[str, Any],
                                                             status: int, detail: str) -> None:
    learner = enrolled(app)
    staff = login(app.test_client(), make_user(app, "global_staff"))
    batch: dict[str, Any] = {"username": learner.username, "course_key": COURSE, "blocks": {ids["p0"]: 1.0}}
    for key, value in change.items():
        if value is None:
            batch.pop(key)
        elif key == "blocks":
            batch["blocks"] = {ids["p0"]: 1.0, **value}
        else:
            batch[key] = value
    response = staff.post(BATCH, json=batch)
    assert response.status_code == status
    assert response.get_json()["detail"] == detail
    assert _stored(app, learner) == {}


def test_out_of_range_and_not_enrolled_and_others(app: Flask, ids: dict[str, str]) -> None:
    learner = enrolled(app)
    client = login(app.test_client(), learner)
    too_much = client.post(BATCH, json={"username": learner.username, "course_key": COURSE,
                                        "blocks": {ids["p0"]: 1.0, ids["p1"]: 1.5}})
    assert too_much.status_code == 400
    assert _stored(app, learner) == {}  # all or nothing
    outsider = make_user(app, "user")
    not_enrolled = login(app.test_client(), outsider).post(
        BATCH, json={"username": outsider.username, "course_key": COURSE, "blocks": {ids["p0"]: 1.0}})
    assert (not_enrolled.status_code, not_enrolled.get_json()["detail"]) == (400, "User is not enrolled in course.")
    other = client.post(BATCH, json={"username": outsider.username, "course_key": COURSE, "blocks": {}})
    assert other.status_code == 403
    assert app.test_client().post(BATCH, json={}).status_code == 401
    peek = client.get(f"/api/completion/v1/subsection-completion/{outsider.username}/{COURSE}/{ids['hw1']}")
    assert peek.status_code == 403


def test_a_completion_never_goes_down(app: Flask, ids: dict[str, str]) -> None:
    learner = enrolled(app)
    client = login(app.test_client(), learner)
    for value in (0.8, 0.3):
        client.post(BATCH, json={"username": learner.username, "course_key": COURSE, "blocks": {ids["p0"]: value}})
    assert _stored(app, learner) == {ids["p0"]: 0.8}
