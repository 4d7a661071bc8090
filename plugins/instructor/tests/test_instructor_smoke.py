"""The instructor plugin loads beside the LMS; its dashboard URL refuses visitors and learners."""

from __future__ import annotations

import pytest
from kampus_content.testing.xblocks import publish_course

from kampus.testing import DEFAULT_COURSE


@pytest.fixture
def kampus_plugins():
    return ["content", "problems", "lms", "instructor"]


def test_dashboard_refuses_visitors_and_learners(app, client, client_as):
    publish_course(app, DEFAULT_COURSE, {"u1": []})
    assert client.get(f"/courses/{DEFAULT_COURSE}/instructor").status_code == 401
    assert client_as("learner").get(f"/courses/{DEFAULT_COURSE}/instructor").status_code == 403
