"""A published course with two units for the unit editor's tests."""

from __future__ import annotations

from typing import Any

import pytest
from kampus_content.store.interface import Block
from kampus_content.testing.xblocks import publish_course

from kampus.testing import DEFAULT_COURSE

COURSE = DEFAULT_COURSE


@pytest.fixture
def kampus_plugins() -> list[str]:
    return ["content", "problems", "studio"]


@pytest.fixture
def kampus_settings() -> dict[str, Any]:
    """Every documented answer is checked against its response model (a mismatch is a 500)."""
    return {"api_validate_responses": True}


@pytest.fixture
def course(app: Any) -> dict[str, str]:
    """Usage ids by block id: units ``unit1`` (an HTML block ``intro``) and ``unit2`` (empty)."""
    return publish_course(app, COURSE, {
        "unit1": [Block("html", "intro", {"display_name": "Intro", "data": "<p>Hello authors</p>"})],
        "unit2": [],
    })


@pytest.fixture
def author(client_as: Any) -> Any:
    """A client of a course staff member (Studio's "Staff" role)."""
    return client_as("staff", course_id=COURSE)
