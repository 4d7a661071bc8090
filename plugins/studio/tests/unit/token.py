"""An OAuth2 bearer token for a test user (the password grant of a public client)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from kampus.oauth2.clients import create_client
from kampus.testing import TEST_PASSWORD


def bearer_header(app: Flask, user: Any, client_id: str = "studio-unit-tests") -> dict[str, str]:
    """The ``Authorization`` header of a bearer token of ``user``."""
    with app.app_context(), app.extensions["kampus"].db.session_scope() as db_session:
        create_client(db_session, "Studio unit tests", "public", client_id=client_id)
    fields = {"grant_type": "password", "client_id": client_id, "username": user.username, "password": TEST_PASSWORD}
    response = app.test_client().post("/oauth2/access_token", data=fields)
    assert response.status_code == 200, response.get_data(as_text=True)
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}
