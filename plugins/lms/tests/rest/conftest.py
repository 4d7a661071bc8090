"""Shared by the LMS REST API tests: answers checked against their documented schemas, and API tokens."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from kampus.oauth2.clients import create_client
from kampus.testing import TEST_PASSWORD

#: The public client the tests' tokens come from (like Open edX's mobile apps).
CLIENT_ID = "rest-tests-app"


@pytest.fixture
def kampus_settings() -> dict[str, Any]:
    """Every documented answer is checked against its response model (a mismatch is a 500)."""
    return {"api_validate_responses": True}


def register_public_client(app: Flask, client_id: str = CLIENT_ID) -> str:
    """Register a public OAuth2 client with the password grant; returns its id."""
    with app.app_context(), app.extensions["kampus"].db.session_scope() as db_session:
        create_client(db_session, "REST tests", "public", client_id=client_id)
    return client_id


def token_for(app: Flask, user: Any, *, jwt: bool = False, client_id: str = CLIENT_ID,
              password: str = TEST_PASSWORD) -> dict[str, str]:
    """The ``Authorization`` header of a token from ``/oauth2/access_token`` (password grant): a bearer
    token, or a JWT with ``jwt``. The client must be registered (:func:`register_public_client`)."""
    fields = {"grant_type": "password", "client_id": client_id, "username": user.username, "password": password}
    if jwt:
        fields["token_type"] = "jwt"
    response = app.test_client().post("/oauth2/access_token", data=fields)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    scheme = "JWT" if jwt else "Bearer"
    assert body["token_type"].lower() == scheme.lower()
    return {"Authorization": f"{scheme} {body['access_token']}"}
