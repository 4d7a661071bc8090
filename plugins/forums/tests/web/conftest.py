"""Fixtures of the web tests: a published course whose unit ``u1`` holds a discussion block, and clients of an
enrolled learner, a visitor who is not enrolled and a moderator."""

from __future__ import annotations

from typing import Any

import pytest
from kampus_content.store.interface import Block
from kampus_content.testing.xblocks import publish_course
from kampus_lms.api import enroll

from kampus.testing import DEFAULT_COURSE, login, make_user

TOPIC = "week1-forum"


class ForumKit:
    """Helpers bound to one test app."""

    COURSE = DEFAULT_COURSE
    TOPIC = TOPIC

    def __init__(self, app: Any):
        self.app = app
        self.ids: dict[str, str] = {}

    def publish(self, **course_fields: Any) -> dict[str, str]:
        discussion = Block("discussion", "d1", {"display_name": "Talk about week 1", "discussion_id": TOPIC,
                                                "discussion_category": "Week 1",
                                                "discussion_target": "Introductions"})
        html = Block("html", "h1", {"display_name": "Text", "data": "<p>Read this first.</p>"})
        self.ids = publish_course(self.app, DEFAULT_COURSE, {"u1": [html, discussion]},
                                  course_fields={"display_name": "Forum course", **course_fields})
        return self.ids

    def learner(self, enrolled: bool = True, **fields: Any) -> Any:
        """A client logged in as a new account, enrolled unless told not to."""
        user = make_user(self.app, "user", **fields)
        if enrolled:
            with self.app.test_request_context():
                enroll(user, DEFAULT_COURSE, check_access=False)
        return login(self.app.test_client(), user)

    def member(self, role: str, **fields: Any) -> Any:
        """A client logged in as a holder of a course ``role`` (staff, discussion_moderator, ...)."""
        return login(self.app.test_client(), make_user(self.app, role, DEFAULT_COURSE, **fields))

    def unit_url(self) -> str:
        return f"/courses/{DEFAULT_COURSE}/courseware/week1/lesson1/1"


@pytest.fixture
def forum(app: Any) -> ForumKit:
    kit = ForumKit(app)
    kit.publish()
    return kit
