"""Fixtures of the certificates section tests: a self-paced course with an active certificate
configuration and an honor mode, and ``enrolled(name)`` making an honor learner."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from kampus_content.testing.xblocks import publish_course
from kampus_lms.api import enroll, set_course_mode

from kampus.testing import make_user

COURSE = "course-v1:KampusX+Cert201+2026"
CERTIFICATES = {"certificates": [{
    "id": 1, "name": "Honor certificate", "description": "For passing.", "course_title": "", "is_active": True,
    "version": 1, "signatories": [{"id": 1, "name": "Ada Lovelace", "title": "Lead", "organization": "KampusX",
                                   "signature_image_path": "/static/signature.png"}]}]}


@pytest.fixture
def kampus_plugins() -> list[Any]:
    return ["content", "problems", "lms", "instructor"]


@pytest.fixture
def kampus_settings() -> dict[str, Any]:
    return {"api_validate_responses": True}


@pytest.fixture
def course(app):
    publish_course(app, COURSE, {"unit1": []}, course_fields={
        "display_name": "Cert course", "self_paced": True, "certificates": copy.deepcopy(CERTIFICATES)})
    with app.test_request_context():
        set_course_mode(COURSE, "honor", "Honor")
    return COURSE


@pytest.fixture
def enrolled(app):
    """``enrolled(name)``: a new account called ``name`` enrolled in the course in honor mode."""
    def make(name):
        user = make_user(app, "user", username=name)
        with app.test_request_context():
            enroll(user, COURSE, "honor", check_access=False)
        return user
    return make
