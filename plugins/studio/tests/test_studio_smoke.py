"""The Studio plugin loads beside the content plugin and links "Studio" for course authors only."""

from __future__ import annotations

import pytest


@pytest.fixture
def kampus_plugins():
    return ["content", "problems", "studio"]


def test_studio_link_shows_for_course_authors_only(client_as):
    for role in ("global_staff", "staff", "instructor"):
        assert b'href="/studio/"' in client_as(role).get("/").data, role
    for role in ("user", "learner", "ta"):
        assert b'href="/studio/"' not in client_as(role).get("/").data, role
