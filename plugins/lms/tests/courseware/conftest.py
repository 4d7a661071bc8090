"""Fixtures of the courseware tests: ``cw``, a kit that publishes courses of a given shape (sections x
subsections x units, each unit one html block), enrolls learners and logs clients in."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from kampus_content.store.interface import Block
from kampus_lms.enrollment.api import enroll
from opaque_keys.edx.keys import CourseKey

from kampus.testing import login, make_user

COURSE = "course-v1:KampusX+Nav101+2026"
PAST = "2020-01-01T00:00:00Z"
FUTURE = "2099-01-01T00:00:00Z"


class CoursewareKit:
    """Helpers bound to one test app."""

    COURSE = COURSE
    PAST = PAST
    FUTURE = FUTURE

    def __init__(self, app: Flask):
        self.app = app

    def blocks(self, sections: int = 2, subsections: int = 2, units: int = 2, *,
               fields: dict[str, dict[str, Any]] | None = None, course_fields: dict[str, Any] | None = None,
               ) -> list[Block]:
        """Blocks of a course: chapters ``c1``.., subsections ``c1s1``.., units ``c1s1u1``.., each unit an
        html block ``c1s1u1h``; ``fields`` adds fields by block id."""
        extra = fields or {}
        root_fields = {"display_name": "Navigation course", "start": PAST, **(course_fields or {})}
        blocks = [Block("course", "course", root_fields, [("chapter", f"c{c}") for c in range(1, sections + 1)])]
        for c in range(1, sections + 1):
            chapter = f"c{c}"
            blocks.append(Block("chapter", chapter, {"display_name": f"Section {c}", **extra.get(chapter, {})},
                                [("sequential", f"{chapter}s{s}") for s in range(1, subsections + 1)]))
            for s in range(1, subsections + 1):
                seq = f"{chapter}s{s}"
                blocks.append(Block("sequential", seq, {"display_name": f"Subsection {c}.{s}", **extra.get(seq, {})},
                                    [("vertical", f"{seq}u{u}") for u in range(1, units + 1)]))
                for u in range(1, units + 1):
                    unit = f"{seq}u{u}"
                    blocks.append(Block("vertical", unit, {"display_name": f"Unit {c}.{s}.{u}", **extra.get(unit, {})},
                                        [("html", f"{unit}h")]))
                    blocks.append(Block("html", f"{unit}h", {"display_name": f"Text {c}.{s}.{u}",
                                                             "data": f"<p>Body of unit {c}.{s}.{u}</p>",
                                                             **extra.get(f"{unit}h", {})}))
        return blocks

    def publish(self, course_id: str = COURSE, blocks: list[Block] | None = None, **shape: Any) -> str:
        """Create and publish a course (``shape``: arguments of :meth:`blocks`); returns its id."""
        with self.app.app_context():
            store = self.app.extensions["kampus"].driver("content_store")
            store.create_course(course_id, blocks or self.blocks(**shape), ("course", "course"), user_id=None)
            store.publish(course_id, user_id=None)
        return course_id

    def usage(self, block_type: str, block_id: str, course_id: str = COURSE) -> str:
        return str(CourseKey.from_string(course_id).make_usage_key(block_type, block_id))

    def learner(self, course_id: str = COURSE, enrolled: bool = True, **fields: Any) -> Any:
        """A client logged in as a new account (enrolled in ``course_id`` unless told not to)."""
        user = make_user(self.app, "user", **fields)
        if enrolled:
            with self.app.test_request_context():
                enroll(user, course_id, check_access=False)
        return login(self.app.test_client(), user)

    def enroll(self, client: Any, course_id: str) -> None:
        """Enroll the client's user in another course."""
        with self.app.test_request_context():
            enroll(client.user, course_id, check_access=False)

    def staff(self, course_id: str = COURSE, role: str = "staff") -> Any:
        """A client logged in as course staff (``role``: staff, instructor, or global_staff)."""
        return login(self.app.test_client(), make_user(self.app, role, course_id))

    def url(self, chapter: str, seq: str, position: int | None = None, course_id: str = COURSE) -> str:
        path = f"/courses/{course_id}/courseware/{chapter}/{seq}/"
        return f"{path}{position}" if position else path


@pytest.fixture
def kampus_plugins() -> list[Any]:
    """The plugins of these tests' ``app``."""
    return ["content", "problems", "lms"]


@pytest.fixture
def cw(app: Flask) -> CoursewareKit:
    return CoursewareKit(app)
