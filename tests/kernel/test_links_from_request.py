"""The course blocks API's URLs follow the request's address when ``base_url`` is not set."""

from __future__ import annotations

import pytest
from kampus_content.store.interface import Block
from kampus_content.testing.xblocks import publish_course

pytestmark = pytest.mark.kampus_plugins("content")

COURSE = "course-v1:KampusX+Links101+2026"


@pytest.fixture
def kampus_settings():
    return {"base_url": ""}


def test_blocks_api_urls_use_the_request_address(app, client_as):
    ids = publish_course(app, COURSE, {"unit1": [Block("html", "intro", {"data": "<p>hi</p>"})]})
    learner = client_as("learner", course_id=COURSE)
    response = learner.get("/api/courses/v1/blocks/", base_url="http://localhost:8765",
                           query_string={"course_id": COURSE, "username": learner.user.username})
    assert response.status_code == 200, response.get_json()
    root = response.get_json()["blocks"][ids["course"]]
    assert root["student_view_url"] == f"http://localhost:8765/xblock/{ids['course']}"
    assert root["lms_web_url"] == f"http://localhost:8765/courses/{COURSE}/jump_to/{ids['course']}"
