"""Fixtures of the membership tests: a published course, clients of each course role, bearer tokens."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from kampus_content.store.interface import Block
from kampus_content.testing.xblocks import publish_course

from kampus.oauth2.clients import create_client
from kampus.oauth2.models import OAuthClient
from kampus.testing import TEST_PASSWORD

COURSE = "course-v1:KampusX+Team101+2026"
GROUPS_COURSE = "course-v1:KampusX+Groups201+2026"
PARTITIONS = [{"id": 50, "name": "Content Groups", "scheme": "cohort", "version": 3, "active": True,
               "groups": [{"id": 1, "name": "Group A"}, {"id": 2, "name": "Group B"}]}]
CLIENT_ID = "instructor-tests-app"


@pytest.fixture
def kampus_plugins() -> list[Any]:
    return ["content", "problems", "lms", "instructor"]


@pytest.fixture
def kampus_settings() -> dict[str, Any]:
    """Every documented answer is checked against its response model (a mismatch is a 500)."""
    return {"api_validate_responses": True}


@pytest.fixture
def course(app: Flask) -> str:
    publish_course(app, COURSE, {"unit1": []}, course_fields={"display_name": "Team course"})
    return COURSE


def bearer(app: Flask, user: Any) -> dict[str, str]:
    """The ``Authorization`` header of a password-grant token of ``user``."""
    with app.app_context(), app.extensions["kampus"].db.session_scope() as db_session:
        if db_session.scalar(sa.select(OAuthClient).where(OAuthClient.client_id == CLIENT_ID)) is None:
            create_client(db_session, "Instructor tests", "public", client_id=CLIENT_ID)
    response = app.test_client().post("/oauth2/access_token", data={
        "grant_type": "password", "client_id": CLIENT_ID, "username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 200, response.get_data(as_text=True)
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


@pytest.fixture
def token(app: Flask):
    return lambda user: bearer(app, user)


@pytest.fixture
def groups_course(app: Flask) -> str:
    """A course with a content-group partition (groups 1 and 2) and a unit for group 1 only."""
    blocks = [Block("course", "course", {"display_name": "Groups", "start": "2020-01-01T00:00:00Z",
                                         "user_partitions": PARTITIONS}, [("chapter", "ch")]),
              Block("chapter", "ch", {"display_name": "Week"}, [("sequential", "seq")]),
              Block("sequential", "seq", {"display_name": "Lesson"}, [("vertical", "all"), ("vertical", "ga")]),
              Block("vertical", "all", {"display_name": "For everyone"}, []),
              Block("vertical", "ga", {"display_name": "For group A", "group_access": {"50": [1]}}, [])]
    with app.app_context():
        store = app.extensions["kampus"].driver("content_store")
        store.create_course(GROUPS_COURSE, blocks, ("course", "course"), user_id=None)
        store.publish(GROUPS_COURSE, user_id=None)
    return GROUPS_COURSE
