"""Fixtures of the certificates tests: ``certs``, a kit that publishes a course with a certificate
configuration, enrolls learners in a mode, and makes course grades shaped like the grades area's
``CourseGrade`` (until a test needs the real grader)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from kampus_content.testing.xblocks import publish_course
from kampus_lms.enrollment.api import enroll, set_course_mode

from kampus.testing import make_user

COURSE = "course-v1:KampusX+Cert101+2026"
CERTIFICATES = {"certificates": [{
    "id": 1, "name": "Honor certificate", "description": "For passing the course.", "course_title": "",
    "is_active": True, "version": 1,
    "signatories": [{"id": 1, "name": "Ada Lovelace", "title": "Course lead", "organization": "KampusX",
                     "signature_image_path": "/static/signature.png"}],
}]}


@dataclass(frozen=True)
class Grade:
    """A course grade as the grades area's ``course_grade`` returns it (the fields certificates read)."""

    percent: float
    passed: bool
    letter_grade: str | None = None
    grade_breakdown: dict[str, Any] = field(default_factory=dict)


class CertificateKit:
    """Helpers bound to one test app."""

    COURSE = COURSE
    CERTIFICATES = CERTIFICATES
    Grade = Grade
    PASS = Grade(0.85, True, "Pass")
    FAIL = Grade(0.2, False, None)

    def __init__(self, app: Flask):
        self.app = app

    def publish(self, course_id: str = COURSE, certificates: Any = CERTIFICATES,
                root_meta: dict[str, Any] | None = None, **course_fields: Any) -> str:
        """Publish a one-unit course whose ``certificates`` field is ``certificates`` (None: no field).

        The course is self-paced unless ``course_fields`` say otherwise (so certificates show at once);
        other ``course_fields`` (``end``, ``certificates_display_behavior``, ...) go to the course block."""
        fields: dict[str, Any] = {"display_name": "Certified Course", "display_organization": "KampusX Academy",
                                  "self_paced": True, **course_fields}
        if certificates is not None:
            fields["certificates"] = copy.deepcopy(certificates)
        publish_course(self.app, course_id, {"unit1": []}, course_fields=fields, root_meta=root_meta)
        return course_id

    def enrolled(self, mode: str = "honor", course_id: str = COURSE, **fields: Any) -> Any:
        """A new learner enrolled in ``mode``."""
        user = make_user(self.app, "user", **fields)
        self.enroll(user, mode, course_id)
        return user

    def enroll(self, user: Any, mode: str = "honor", course_id: str = COURSE) -> None:
        with self.app.app_context():
            set_course_mode(course_id, mode, mode.title())
            enroll(user, course_id, mode, check_access=False)


@pytest.fixture
def certs(app: Flask) -> CertificateKit:
    return CertificateKit(app)


@pytest.fixture
def course(certs: CertificateKit) -> str:
    return certs.publish()


@pytest.fixture
def certificate_kit() -> type[CertificateKit]:
    """The kit's class, for tests that make their own app (``certificate_kit(app)``)."""
    return CertificateKit
