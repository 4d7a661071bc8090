"""Certificate eligibility and statuses (Open edX's generation_handler rules), idempotence, grade drops,
allowlist, invalidation, the ``kampus_certificate_eligible`` hook and the created event."""

from __future__ import annotations

from typing import Any

import pytest
from kampus_hookspecs import hookimpl
from kampus_lms.api import (
    CertificateError,
    certificate_config,
    certificate_status,
    certificate_statuses,
    invalidate_certificate,
    is_allowlisted,
    reinstate_certificate,
    set_allowlisted,
    update_certificate,
)

from kampus.testing import make_user, recording_statements

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")


def test_a_passing_honor_learner_gets_a_downloadable_certificate(app, certs, course, events) -> None:
    learner = certs.enrolled("honor", name="Zoë Ångström")
    with app.test_request_context("/"):
        info = update_certificate(learner.id, course, certs.PASS)
        assert info is not None and info.status == "downloadable"
        assert info.mode == "honor" and info.grade == "0.85" and info.name == "Zoë Ångström"
        assert len(info.verify_uuid) == 32
        assert info.download_url == f"/certificates/{info.verify_uuid}"
        assert info.pdf_url == f"/certificates/{info.verify_uuid}.pdf"
        assert info.issued_at is not None
        assert certificate_status(learner.id, course) == info
    [created] = events.of_type("edx.certificate.created")
    assert created["event"] == {
        "user_id": learner.id, "course_id": course, "certificate_id": info.verify_uuid,
        "enrollment_mode": "honor", "generation_mode": "self",
        "certificate_url": f"http://localhost/certificates/{info.verify_uuid}",
    }
    assert created["username"] == learner.username
    assert created["context"]["course_id"] == course and created["context"]["org_id"] == "KampusX"


def test_a_failing_learner_is_notpassing_and_has_no_links(app, certs, course) -> None:
    learner = certs.enrolled("verified")
    with app.app_context():
        info = update_certificate(learner.id, course, certs.FAIL)
        assert info.status == "notpassing" and info.download_url == "" and info.pdf_url == ""
        assert info.grade == "0.20"


@pytest.mark.parametrize(("passed", "status"), [(True, "audit_passing"), (False, "audit_notpassing")])
def test_audit_learners_never_get_a_certificate(app, certs, course, events, passed, status) -> None:
    grade = certs.PASS if passed else certs.FAIL
    learner = certs.enrolled("audit")
    with app.app_context():
        assert update_certificate(learner.id, course, grade).status == status
    assert events.of_type("edx.certificate.created") == []


def test_the_eligible_modes_are_a_setting(make_app, certificate_kit) -> None:
    app = make_app(plugins=["content", "problems", "lms"], settings={"certificates_eligible_modes": ["verified"]})
    certs = certificate_kit(app)
    certs.publish()
    honor, verified = certs.enrolled("honor"), certs.enrolled("verified")
    with app.app_context():
        assert update_certificate(honor.id, certs.COURSE, certs.PASS).status == "audit_passing"
        assert update_certificate(verified.id, certs.COURSE, certs.PASS).status == "downloadable"


def test_updates_are_idempotent_and_the_event_is_emitted_once(app, certs, course, events) -> None:
    learner = certs.enrolled("honor")
    with app.app_context():
        first = update_certificate(learner.id, course, certs.PASS)
        with recording_statements(app) as statements:
            again = update_certificate(learner.id, course, certs.PASS)
        assert again == first
        assert statements.writes() == []
    assert len(events.of_type("edx.certificate.created")) == 1


def test_a_grade_drop_makes_it_notpassing_and_a_pass_brings_it_back(app, certs, course, events) -> None:
    learner = certs.enrolled("honor")
    with app.app_context():
        first = update_certificate(learner.id, course, certs.PASS)
        dropped = update_certificate(learner.id, course, certs.Grade(0.4, False))
        assert dropped.status == "notpassing" and dropped.download_url == ""
        assert dropped.verify_uuid == first.verify_uuid
        back = update_certificate(learner.id, course, certs.Grade(0.9, True, "Pass"))
        assert back.status == "downloadable" and back.verify_uuid == first.verify_uuid
        assert back.issued_at == first.issued_at and back.grade == "0.90"
    assert len(events.of_type("edx.certificate.created")) == 1


def test_an_allowlisted_learner_gets_a_certificate_without_passing(app, certs, course) -> None:
    learner = certs.enrolled("honor")
    with app.app_context():
        set_allowlisted(learner.id, course, True, "Completed the work offline")
        assert is_allowlisted(learner.id, course)
        assert update_certificate(learner.id, course, certs.FAIL).status == "downloadable"
        set_allowlisted(learner.id, course, False)
        assert update_certificate(learner.id, course, certs.FAIL).status == "notpassing"


def test_an_invalidated_certificate_stays_invalidated_until_reinstated(app, certs, course) -> None:
    learner = certs.enrolled("honor")
    staff = make_user(app, "staff", course_id=course)
    with app.app_context():
        update_certificate(learner.id, course, certs.PASS)
        invalidate_certificate(learner.id, course, invalidated_by=staff.id, notes="Plagiarism")
        info = certificate_status(learner.id, course)
        assert info.status == "invalidated" and info.download_url == ""
        assert update_certificate(learner.id, course, certs.PASS).status == "invalidated"
        set_allowlisted(learner.id, course, True)
        assert update_certificate(learner.id, course, certs.PASS).status == "invalidated"
        assert reinstate_certificate(learner.id, course)
        assert not reinstate_certificate(learner.id, course)
        assert update_certificate(learner.id, course, certs.PASS).status == "downloadable"


def test_invalidating_a_missing_certificate_is_an_error(app, certs, course) -> None:
    learner = certs.enrolled("honor")
    with app.app_context(), pytest.raises(CertificateError):
        invalidate_certificate(learner.id, course, invalidated_by=None)


class Withholder:
    """A plugin that withholds certificates from one learner."""

    def __init__(self) -> None:
        self.withheld: set[int] = set()
        self.calls: list[dict[str, Any]] = []

    @hookimpl
    def kampus_certificate_eligible(self, user_id: int, course_id: str, grade: dict[str, Any]) -> bool | None:
        self.calls.append({"user_id": user_id, "course_id": course_id, "grade": grade})
        return False if user_id in self.withheld else None


def test_a_plugin_withholds_a_certificate_through_kampus_certificate_eligible(make_app, certificate_kit) -> None:
    plugin = Withholder()
    app = make_app(plugins=["content", "problems", "lms", plugin])
    certs = certificate_kit(app)
    certs.publish()
    kept, withheld = certs.enrolled("honor"), certs.enrolled("honor")
    plugin.withheld.add(withheld.id)
    with app.app_context():
        assert update_certificate(kept.id, certs.COURSE, certs.PASS).status == "downloadable"
        assert update_certificate(withheld.id, certs.COURSE, certs.PASS).status == "unavailable"
    assert plugin.calls[-1] == {"user_id": withheld.id, "course_id": certs.COURSE,
                                "grade": {"percent": 0.85, "letter_grade": "Pass", "passed": True}}
    # a failing grade gives nothing to withhold: the hook is not asked
    calls = len(plugin.calls)
    with app.app_context():
        assert update_certificate(withheld.id, certs.COURSE, certs.FAIL).status == "notpassing"
    assert len(plugin.calls) == calls


def test_no_certificate_without_an_enrollment_or_an_active_configuration(app, certs) -> None:
    certs.publish()
    inactive = "course-v1:KampusX+NoCert+2026"
    certs.publish(inactive, {"certificates": [{**CERT_ENTRY, "is_active": False}]})
    stranger = make_user(app, "user")
    learner = certs.enrolled("honor", course_id=inactive)
    with app.app_context():
        assert update_certificate(stranger.id, certs.COURSE, certs.PASS) is None
        assert update_certificate(learner.id, inactive, certs.PASS) is None
        assert certificate_config(inactive) is None


CERT_ENTRY = {"id": 1, "name": "Cert", "course_title": "Special Title", "is_active": True,
              "signatories": [{"name": "Grace Hopper", "title": "Dean", "organization": "Navy"},
                              {"title": "no name: dropped"}]}


def test_the_configuration_is_read_from_the_course_field(app, certs) -> None:
    certs.publish(certificates={"certificates": [
        {"id": 9, "name": "Old", "is_active": False, "signatories": []}, CERT_ENTRY]})
    with app.app_context():
        config = certificate_config(certs.COURSE)
        assert config.title == "Special Title" and config.name == "Cert"
        assert [s.name for s in config.signatories] == ["Grace Hopper"]
        assert config.display_org == "KampusX Academy" and config.number == "Cert101"
        assert certificate_config("course-v1:No+Such+Course") is None


def test_statuses_of_many_courses_in_one_query(app, certs, course) -> None:
    other = certs.publish("course-v1:KampusX+Cert102+2026")
    learner = certs.enrolled("honor")
    certs.enroll(learner, "honor", other)
    with app.app_context():
        update_certificate(learner.id, course, certs.PASS)
        update_certificate(learner.id, other, certs.FAIL)
        with recording_statements(app) as statements:
            statuses = certificate_statuses(learner.id)
        assert statements.count == 1
        assert {key: info.status for key, info in statuses.items()} == {course: "downloadable",
                                                                        other: "notpassing"}
        assert set(certificate_statuses(learner.id, [other])) == {other}
        assert certificate_statuses(learner.id, []) == {}
