"""Restricted OAuth2 clients on the views Open edX guards with ``required_scopes`` and
``JWT_RESTRICTED_APPLICATION_OR_USER_ACCESS``: grades (``grades:read``) and certificates
(``certificates:read``), with ``content_org`` and ``user`` filters; unrestricted tokens as before."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from kampus.oauth2.clients import create_client
from kampus.testing import TEST_PASSWORD, login, make_user

from .slice_b_kit import (
    COURSE,
    answer,
    enrolled,
    graded_block_installed,
    mobile_client,
    publish_graded_course,
    token_headers,
)

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")

ALL_SCOPES = "read grades:read certificates:read"


@pytest.fixture
def kampus_settings() -> dict[str, Any]:
    return {"api_validate_responses": True}


@pytest.fixture(autouse=True)
def _graded_block() -> Iterator[None]:
    with graded_block_installed():
        yield


def _restricted(app: Flask, client_id: str, orgs: list[str], scopes: list[str], **options: Any) -> str:
    with app.app_context(), app.extensions["kampus"].db.session_scope() as db_session:
        created = create_client(db_session, client_id, options.pop("client_type", "public"), client_id=client_id,
                                restricted=True, orgs=orgs, scopes=scopes, **options)
        return created.secret


def _jwt(app: Flask, client_id: str, username: str, scope: str) -> dict[str, str]:
    response = app.test_client().post("/oauth2/access_token", data={
        "grant_type": "password", "client_id": client_id, "username": username, "password": TEST_PASSWORD,
        "token_type": "jwt", "scope": scope})
    assert response.status_code == 200, response.get_data(as_text=True)
    return {"Authorization": f"JWT {response.get_json()['access_token']}"}


def _paths(username: str) -> dict[str, str]:
    return {"grades": f"/api/grades/v1/courses/{COURSE}/?username={username}",
            "certificate": f"/api/certificates/v0/certificates/{username}/courses/{COURSE}/",
            "certificates": f"/api/certificates/v0/certificates/{username}/"}


def test_restricted_jwts_need_the_scope_and_the_course_organisation(app: Flask) -> None:
    ids = publish_graded_course(app)  # a course of KampusX
    learner = enrolled(app)
    answer(login(app.test_client(), learner), ids["p1"], 2.0)
    _restricted(app, "partner-kampusx", ["KampusX"], ["read", "grades:read", "certificates:read"])
    _restricted(app, "partner-otherx", ["OtherX"], ["read", "grades:read", "certificates:read"])
    _restricted(app, "partner-no-scopes", ["KampusX"], ["read"])
    client = app.test_client()
    paths = _paths(learner.username)

    allowed = _jwt(app, "partner-kampusx", learner.username, ALL_SCOPES)
    for name, path in paths.items():
        response = client.get(path, headers=allowed)
        assert response.status_code == 200, (name, response.get_data(as_text=True))

    # Another organisation: refused where the view is about a course; the list of certificates is not.
    other_org = _jwt(app, "partner-otherx", learner.username, ALL_SCOPES)
    for name in ("grades", "certificate"):
        response = client.get(paths[name], headers=other_org)
        assert response.status_code == 403, name
        assert response.get_json()["detail"] == "JWT missing required content_org filter."
    assert client.get(paths["certificates"], headers=other_org).status_code == 200

    # Without the scope (the client may not even ask for it).
    refused = client.post("/oauth2/access_token", data={
        "grant_type": "password", "client_id": "partner-no-scopes", "username": learner.username,
        "password": TEST_PASSWORD, "token_type": "jwt", "scope": "grades:read"})
    assert refused.status_code == 400 and refused.get_json()["error"] == "invalid_scope"
    no_scopes = _jwt(app, "partner-no-scopes", learner.username, "read")
    for name, path in paths.items():
        response = client.get(path, headers=no_scopes)
        assert response.status_code == 403, name
        body = response.get_json()
        assert body["detail"] == "JWT missing required scopes." and body["developer_message"] == body["detail"]
    # A restricted JWT's scope is checked per view: a grades-only token does not read certificates.
    grades_only = _jwt(app, "partner-kampusx", learner.username, "read grades:read")
    assert client.get(paths["grades"], headers=grades_only).status_code == 200
    # Views that declare no scope refuse the same token (Open edX's NotJwtRestrictedApplication).
    for path in ("/api/user/v1/me", f"/api/user/v1/accounts/{learner.username}", f"/courses/{COURSE}/courseware/"):
        response = client.get(path, headers=grades_only)
        assert response.status_code == 403, path
        assert response.get_json()["detail"] == "You do not have permission to perform this action."
    assert client.get(paths["certificate"], headers=grades_only).get_json()["detail"] == "JWT missing required scopes."

    # The grades list names its course in the query; without one there is nothing to match the filter against.
    listed = client.get("/api/grades/v1/courses/", query_string={"course_id": COURSE, "username": learner.username},
                        headers=allowed)
    assert listed.status_code == 200
    assert client.get("/api/grades/v1/courses/", headers=allowed).status_code == 403


def test_unrestricted_tokens_keep_their_access(app: Flask) -> None:
    ids = publish_graded_course(app)
    learner = enrolled(app)
    answer(login(app.test_client(), learner), ids["p1"], 2.0)
    client = app.test_client()
    client_id = mobile_client(app)  # unrestricted, default scopes: no grades:read, no certificates:read
    for jwt in (False, True):
        headers = token_headers(client, client_id, learner.username, jwt=jwt)
        for name, path in _paths(learner.username).items():
            assert client.get(path, headers=headers).status_code == 200, (name, jwt)


def test_a_service_users_restricted_jwt_reads_only_its_own_user(app: Flask) -> None:
    ids = publish_graded_course(app)
    learner = enrolled(app)
    answer(login(app.test_client(), learner), ids["p1"], 2.0)
    service = make_user(app, "global_staff", username="partner_service")
    secret = _restricted(app, "partner-server", ["KampusX"], ["read", "grades:read"], client_type="confidential",
                         grant_types=["client_credentials"], username=service.username)
    issued = app.test_client().post("/oauth2/access_token", data={
        "grant_type": "client_credentials", "client_id": "partner-server", "client_secret": secret,
        "token_type": "jwt", "scope": "read grades:read"})
    assert issued.status_code == 200, issued.get_data(as_text=True)
    headers = {"Authorization": f"JWT {issued.get_json()['access_token']}"}
    # Global staff may read any learner's grade, but the JWT's user:me filter limits it to its own user.
    response = app.test_client().get(_paths(learner.username)["grades"], headers=headers)
    assert response.status_code == 403 and response.get_json()["detail"] == "JWT missing required user filter."
    with_session = login(app.test_client(), service)
    assert with_session.get(_paths(learner.username)["grades"]).status_code == 200
