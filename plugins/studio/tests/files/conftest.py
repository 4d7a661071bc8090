"""A published course for the Files & uploads tests, and helpers to read its draft's files."""

from __future__ import annotations

from typing import Any

import pytest
from kampus_content.api import DRAFT, get_structure, list_assets
from kampus_content.store.interface import Block
from kampus_content.testing.xblocks import publish_course

from kampus.testing import DEFAULT_COURSE

COURSE = DEFAULT_COURSE
PAGE = f"/studio/course/{COURSE}/files/"
API = f"/api/studio/v1/courses/{COURSE}/assets/"


@pytest.fixture
def kampus_plugins() -> list[str]:
    return ["content", "problems", "studio"]


@pytest.fixture
def kampus_settings() -> dict[str, Any]:
    """A 1 MB limit (small uploads prove it); every documented answer checked against its model."""
    return {"api_validate_responses": True, "studio_max_upload_mb": 1}


@pytest.fixture
def course(app: Any) -> dict[str, str]:
    return publish_course(app, COURSE, {"unit1": [Block("html", "intro", {"display_name": "Intro",
                                                                           "data": "<p>Hello</p>"})]})


@pytest.fixture
def author(client_as: Any, course: Any) -> Any:
    """A client of a course staff member (Studio's "Staff" role)."""
    return client_as("staff", course_id=COURSE)


def draft_files(app: Any) -> dict[str, bool]:
    """The draft's files: path -> locked."""
    with app.test_request_context():
        return {asset.path: asset.locked for asset in list_assets(COURSE, DRAFT)}


def draft_version(app: Any) -> str:
    with app.test_request_context():
        return get_structure(COURSE, DRAFT).version
