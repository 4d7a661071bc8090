"""A published course for the settings pages' tests, a course author and a bearer token."""

from __future__ import annotations

from typing import Any

import pytest
from kampus_content.store.interface import Block
from kampus_content.testing.xblocks import publish_course

from kampus.identity import tokens
from kampus.identity.models import User
from kampus.testing import DEFAULT_COURSE

COURSE = DEFAULT_COURSE
API = f"/api/studio/v1/courses/{COURSE}/settings"


@pytest.fixture
def kampus_plugins() -> list[str]:
    return ["content", "problems", "studio"]


@pytest.fixture
def kampus_settings() -> dict[str, Any]:
    """Every documented answer is checked against its response model (a mismatch is a 500)."""
    return {"api_validate_responses": True}


@pytest.fixture
def course(app: Any) -> dict[str, str]:
    """A published course with one unit holding an HTML block."""
    return publish_course(app, COURSE, {
        "unit1": [Block("html", "intro", {"display_name": "Intro", "data": "<p>Hello</p>"})],
    }, course_fields={"display_name": "Settings course", "start": "2025-01-01T00:00:00Z"})


@pytest.fixture
def author(client_as: Any, course: Any) -> Any:
    """A client of a course staff member (Studio's "Staff" role)."""
    return client_as("staff", course_id=COURSE)


@pytest.fixture
def bearer(app: Any) -> Any:
    """``bearer(user)``: the ``Authorization`` header of a personal API token of ``user``."""
    def make(user: Any) -> dict[str, str]:
        with app.app_context(), app.extensions["kampus"].db.session_scope() as db_session:
            _, raw = tokens.create_token(db_session, db_session.get(User, user.id), "settings tests")
        return {"Authorization": f"Bearer {raw}"}
    return make
