"""Helpers of the OAuth2 tests: registered clients and token requests."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from flask import Flask

from kampus.oauth2.clients import NewClient, create_client


def register(app: Flask, name: str = "Mobile app", client_type: str = "public", **options: Any) -> NewClient:
    """Register a client in ``app``; returns it with its secret."""
    with app.app_context(), app.extensions["kampus"].db.session_scope() as db_session:
        created = create_client(db_session, name, client_type, **options)
        db_session.expunge(created.client)
    return created


def basic(client_id: str, secret: str) -> dict[str, str]:
    value = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {value}"}


@pytest.fixture
def mobile(app: Flask) -> NewClient:
    """A public client with the password and refresh-token grants (like Open edX's mobile apps)."""
    return register(app, client_id="mobile-app")


def password_grant(client: Any, client_id: str, username: str, password: str, **fields: str) -> Any:
    return client.post("/oauth2/access_token", data={"grant_type": "password", "client_id": client_id,
                                                     "username": username, "password": password, **fields})
