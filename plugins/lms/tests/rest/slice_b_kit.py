"""Helpers of the REST tests of grades, certificates, completion, bookmarks and the course home API: a
scored test block, a graded course, OAuth2 tokens (bearer and JWT) as an Open edX client gets them, and
shape checks written from Open edX's serializers."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from kampus_content.store.interface import Block
from kampus_content.testing.xblocks import installed_block
from kampus_lms.enrollment.api import enroll, set_course_mode
from opaque_keys.edx.keys import CourseKey
from web_fragments.fragment import Fragment
from xblock.core import XBlock
from xblock.fields import Float, Scope

from kampus.oauth2.clients import create_client
from kampus.testing import TEST_PASSWORD, make_user

COURSE = "course-v1:KampusX+Rest201+2026"
#: DRF's rendering of an aware datetime in UTC.
DRF_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
POLICY = {
    "GRADER": [{"type": "Homework", "short_label": "HW", "min_count": 2, "drop_count": 0, "weight": 1.0}],
    "GRADE_CUTOFFS": {"Pass": 0.5},
}
CERTIFICATES = {"certificates": [{
    "id": 1, "name": "Honor certificate", "description": "For passing.", "course_title": "", "is_active": True,
    "version": 1, "signatories": [],
}]}


class GradedBlock(XBlock):
    """A problem-like block worth ``points``: the ``answer`` handler publishes the points it is sent."""

    has_score = True
    points = Float(scope=Scope.settings, default=1.0)
    earned = Float(scope=Scope.user_state, default=0.0)

    def max_score(self) -> float:
        return self.points

    def student_view(self, context: Any = None) -> Fragment:
        return Fragment(f"<p>graded block worth {self.points}</p>")

    @XBlock.json_handler
    def answer(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        self.earned = float(data["earned"])
        self.runtime.publish(self, "grade", {"value": self.earned, "max_value": self.points})
        return {"earned": self.earned}


@contextmanager
def graded_block_installed() -> Iterator[None]:
    with installed_block("graded", GradedBlock):
        yield


def publish_graded_course(app: Flask, course_id: str = COURSE, **course_fields: Any) -> dict[str, str]:
    """Publish a course: chapter ``week1`` with two graded homework subsections ``hw1`` (problem ``p1``,
    2 points, unit ``hw1_u``) and ``hw2`` (``p2``, 2 points, unit ``hw2_u``, due in 2030), and an ungraded
    subsection ``intro`` (``p0``, unit ``intro_u``). Returns usage ids by block id."""
    fields = {"display_name": "REST course", "start": "2020-01-01T00:00:00Z", "grading_policy": POLICY,
              "self_paced": True, "certificates": CERTIFICATES,
              **course_fields}
    blocks = [
        Block("course", "course", fields, [("chapter", "week1")]),
        Block("chapter", "week1", {"display_name": "Week 1"},
              [("sequential", "intro"), ("sequential", "hw1"), ("sequential", "hw2")]),
        Block("sequential", "intro", {"display_name": "Introduction"}, [("vertical", "intro_u")]),
        Block("sequential", "hw1", {"display_name": "Homework 1", "format": "Homework", "graded": True},
              [("vertical", "hw1_u")]),
        Block("sequential", "hw2", {"display_name": "Homework 2", "format": "Homework", "graded": True,
                                    "due": "2030-01-01T00:00:00Z"}, [("vertical", "hw2_u")]),
        Block("vertical", "intro_u", {"display_name": "Intro unit"}, [("graded", "p0")]),
        Block("vertical", "hw1_u", {"display_name": "HW1 unit"}, [("graded", "p1")]),
        Block("vertical", "hw2_u", {"display_name": "HW2 unit"}, [("graded", "p2")]),
        Block("graded", "p0", {"display_name": "p0", "points": 1.0}),
        Block("graded", "p1", {"display_name": "p1", "points": 2.0}),
        Block("graded", "p2", {"display_name": "p2", "points": 2.0}),
    ]
    with app.app_context():
        store = app.extensions["kampus"].driver("content_store")
        store.create_course(course_id, blocks, ("course", "course"), user_id=None)
        store.publish(course_id, user_id=None)
    locator = CourseKey.from_string(course_id)
    return {block.id: str(locator.make_usage_key(block.type, block.id)) for block in blocks}


def enrolled(app: Flask, course_id: str = COURSE, mode: str = "honor", **fields: Any) -> Any:
    """A new learner enrolled in the course in ``mode``."""
    user = make_user(app, "user", **fields)
    with app.app_context():
        set_course_mode(course_id, mode, mode.title())
        enroll(user, course_id, mode, check_access=False)
    return user


def answer(client: Any, usage_id: str, earned: float) -> None:
    """Answer a graded block as the client's user."""
    response = client.post(f"/xblock/{usage_id}/handler/answer", data=json.dumps({"earned": earned}),
                           content_type="application/json")
    assert response.status_code == 200, response.get_data(as_text=True)


def mobile_client(app: Flask) -> str:
    """Register a public client with the password grant (as Open edX's mobile apps); its client id."""
    with app.app_context(), app.extensions["kampus"].db.session_scope() as db_session:
        created = create_client(db_session, "Mobile app", "public", client_id="mobile-app-b")
        return str(created.client.client_id)


def token_headers(client: Any, client_id: str, username: str, *, jwt: bool = False) -> dict[str, str]:
    """``Authorization`` headers with a token from ``/oauth2/access_token`` (password grant)."""
    data = {"grant_type": "password", "client_id": client_id, "username": username, "password": TEST_PASSWORD}
    if jwt:
        data["token_type"] = "jwt"
    response = client.post("/oauth2/access_token", data=data)
    assert response.status_code == 200, response.get_data(as_text=True)
    token = response.get_json()["access_token"]
    return {"Authorization": f"{'JWT' if jwt else 'Bearer'} {token}"}


def check_shape(body: Any, shape: dict[str, Any], where: str = "body") -> None:
    """``body`` has exactly the keys of ``shape``, each value of the type(s) given (a tuple allows
    several; ``None`` in it allows null; a dict checks a nested object; a one-item list checks every item;
    a compiled pattern checks a string)."""
    assert isinstance(body, dict), f"{where} is not an object: {body!r}"
    extra = set(body) - set(shape) - {"error"}
    missing = set(shape) - set(body)
    assert not missing and not extra, f"{where}: missing {sorted(missing)}, unexpected {sorted(extra)}"
    for name, kind in shape.items():
        value = body[name]
        place = f"{where}.{name}"
        if isinstance(kind, dict):
            check_shape(value, kind, place)
        elif isinstance(kind, list):
            assert isinstance(value, list), f"{place} is not a list"
            for index, item in enumerate(value):
                if isinstance(kind[0], dict):
                    check_shape(item, kind[0], f"{place}[{index}]")
                else:
                    assert isinstance(item, kind[0]), f"{place}[{index}] is {item!r}"
        elif isinstance(kind, re.Pattern):
            assert isinstance(value, str) and kind.match(value), f"{place} is {value!r}"
        else:
            kinds = kind if isinstance(kind, tuple) else (kind,)
            allowed = tuple(type(None) if item is None else item for item in kinds)
            if float in allowed:
                allowed = (*allowed, int)
            if bool not in allowed and int in allowed:
                assert not isinstance(value, bool), f"{place} is a boolean"
            assert isinstance(value, allowed), f"{place} is {value!r}, not {kinds}"
