"""Open edX's certificates REST API v0: one certificate and a learner's list, who may read them, the course's
display rules, and Open edX's error bodies."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from kampus.testing import login, make_user

from .slice_b_kit import (
    COURSE,
    DRF_DATETIME,
    answer,
    check_shape,
    enrolled,
    graded_block_installed,
    mobile_client,
    publish_graded_course,
    token_headers,
)

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")

#: ``CertificatesDetailView`` (lms/djangoapps/certificates/apis/v0/views.py).
CERTIFICATE = {"username": str, "course_id": str, "certificate_type": str, "created_date": DRF_DATETIME,
               "status": str, "is_passing": bool, "download_url": (str, None), "grade": str}
#: ``CertificatesListView``'s items.
LISTED = {**CERTIFICATE, "course_display_name": str, "course_organization": str, "modified_date": DRF_DATETIME}


@pytest.fixture
def kampus_settings() -> dict[str, Any]:
    return {"api_validate_responses": True}


@pytest.fixture(autouse=True)
def _graded_block() -> Iterator[None]:
    with graded_block_installed():
        yield


def _passing_learner(app: Flask, ids: dict[str, str]) -> Any:
    learner = enrolled(app)
    answer(login(app.test_client(), learner), ids["p1"], 2.0)
    return learner


def test_a_learner_reads_their_certificate_with_a_token(app: Flask) -> None:
    ids = publish_graded_course(app)
    learner = _passing_learner(app, ids)
    client = app.test_client()
    headers = token_headers(client, mobile_client(app), learner.username, jwt=True)
    response = client.get(f"/api/certificates/v0/certificates/{learner.username}/courses/{COURSE}/", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    check_shape(body, CERTIFICATE)
    assert (body["username"], body["course_id"], body["certificate_type"]) == (learner.username, COURSE, "honor")
    assert (body["status"], body["is_passing"], body["grade"]) == ("downloadable", True, "0.50")
    assert body["download_url"].startswith("/certificates/")
    listed = client.get(f"/api/certificates/v0/certificates/{learner.username}/", headers=headers)
    assert listed.status_code == 200
    items = listed.get_json()
    assert len(items) == 1
    check_shape(items[0], LISTED)
    assert (items[0]["course_display_name"], items[0]["course_organization"]) == ("REST course", "KampusX")


def test_who_may_read_and_the_errors(app: Flask) -> None:
    ids = publish_graded_course(app)
    learner = _passing_learner(app, ids)
    other = login(app.test_client(), make_user(app, "user"))
    path = f"/api/certificates/v0/certificates/{learner.username}/courses/{COURSE}/"
    refused = other.get(path)
    assert refused.status_code == 403
    assert refused.get_json()["detail"] == "You do not have permission to perform this action."
    assert other.get(f"/api/certificates/v0/certificates/{learner.username}/").status_code == 403
    assert app.test_client().get(path).status_code == 401
    staff = login(app.test_client(), make_user(app, "global_staff"))
    assert staff.get(path).status_code == 200
    bad = staff.get(f"/api/certificates/v0/certificates/{learner.username}/courses/nonsense/")
    assert (bad.status_code, bad.get_json()["error_code"]) == (404, "course_id_not_valid")
    none = staff.get(f"/api/certificates/v0/certificates/{other.user.username}/courses/{COURSE}/")
    assert (none.status_code, none.get_json()["error_code"]) == (404, "no_certificate_for_user")
    assert staff.get("/api/certificates/v0/certificates/nobody_here/").get_json() == []


def test_a_certificate_the_course_does_not_show_yet_is_not_passing_nor_listed(app: Flask) -> None:
    ids = publish_graded_course(app, self_paced=False, certificates_display_behavior="end",
                                end="2099-01-01T00:00:00Z")
    learner = _passing_learner(app, ids)
    client = login(app.test_client(), learner)
    body = client.get(f"/api/certificates/v0/certificates/{learner.username}/courses/{COURSE}/").get_json()
    assert (body["status"], body["is_passing"], body["download_url"]) == (
        "certificate_earned_but_not_available", False, None)
    assert client.get(f"/api/certificates/v0/certificates/{learner.username}/").get_json() == []


def test_a_course_without_an_active_configuration_is_a_404(app: Flask) -> None:
    ids = publish_graded_course(app)
    learner = _passing_learner(app, ids)
    with app.app_context():  # the course team turns its certificate off after it was issued
        store = app.extensions["kampus"].driver("content_store")
        structure = store.get_branch(COURSE, "published")
        blocks = [copy.deepcopy(block) for block in structure.blocks.values()]
        for block in blocks:
            if block.type == "course":
                block.fields["certificates"] = {"certificates": []}
        draft = store.get_course_index(COURSE).draft_version
        store.save_draft(COURSE, blocks, structure.root, expected_version=draft, user_id=None)
        store.publish(COURSE, user_id=None)
    client = login(app.test_client(), learner)
    response = client.get(f"/api/certificates/v0/certificates/{learner.username}/courses/{COURSE}/")
    assert (response.status_code, response.get_json()["error_code"]) == (
        404, "no_certificate_configuration_for_course")
    assert client.get(f"/api/certificates/v0/certificates/{learner.username}/").get_json() == []
