"""Certificates after the course's configuration changes: a publish that activates or changes the active
certificate configuration starts ``lms.certificates.update_course``, which gives learners who passed
before their certificates (batches, progress, idempotence, allowlist, the task API)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from kampus_content.api import Block, publish, update_fields
from kampus_content.progress.scores import record_score
from kampus_lms.api import certificate_status, set_allowlisted
from kampus_lms.certificates import tasks as certificate_tasks
from kampus_lms.certificates.config import save_config
from kampus_lms.certificates.models import CertificateConfigState
from kampus_lms.enrollment.api import enroll, set_course_mode
from kampus_lms.grades.api import course_grade
from opaque_keys.edx.keys import CourseKey

from kampus.tasks.api import submit
from kampus.tasks.models import TaskRecord
from kampus.testing import client_as, make_user, recording_statements

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")

COURSE = "course-v1:KampusX+Later+2026"
TASK = "lms.certificates.update_course"
PROBLEM = '<problem><stringresponse answer="yes"><textline/></stringresponse></problem>'
POLICY = {"GRADER": [{"type": "Homework", "min_count": 1, "drop_count": 0, "weight": 1.0}],
          "GRADE_CUTOFFS": {"Pass": 0.5}}
SIGNATORY = {"name": "Ada Lovelace", "title": "Course lead", "organization": "KampusX", "signature_image_path": ""}


def publish_graded_course(app: Any, certificates: dict[str, Any] | None = None) -> str:
    """A self-paced course with one graded homework problem, without certificates unless given."""
    fields: dict[str, Any] = {"display_name": "Later Course", "start": "2020-01-01T00:00:00Z", "self_paced": True,
                              "grading_policy": POLICY}
    if certificates is not None:
        fields["certificates"] = certificates
    blocks = [
        Block("course", "course", fields, [("chapter", "week1")]),
        Block("chapter", "week1", {"display_name": "Week 1"}, [("sequential", "hw1")]),
        Block("sequential", "hw1", {"display_name": "Homework 1", "format": "Homework", "graded": True},
              [("vertical", "unit1")]),
        Block("vertical", "unit1", {"display_name": "Unit 1"}, [("problem", "p1")]),
        Block("problem", "p1", {"display_name": "Question", "data": PROBLEM}),
    ]
    with app.app_context():
        store = app.extensions["kampus"].driver("content_store")
        store.create_course(COURSE, blocks, ("course", "course"), user_id=None)
        store.publish(COURSE, user_id=None)
    return COURSE


def learner(app: Any, *, mode: str = "honor", earned: float | None = None) -> Any:
    """A learner enrolled in ``mode`` whose course grade is stored (``earned`` points of 1 on the problem)."""
    user = make_user(app, "user")
    usage = str(CourseKey.from_string(COURSE).make_usage_key("problem", "p1"))
    with app.test_request_context():
        set_course_mode(COURSE, mode, mode.title())
        enroll(user, COURSE, mode, check_access=False)
        if earned is not None:
            with app.extensions["kampus"].db.session_scope() as db_session:
                record_score(db_session, user_id=user.id, course_key=COURSE, usage_key=usage, block_type="problem",
                             earned=earned, possible=1.0)
        course_grade(user.id, COURSE)  # computed and stored by the grades area
    return user


def activate(app: Any, **changes: Any) -> None:
    """Course staff turn the certificate on through the settings code (a draft edit published at once)."""
    values = {"name": "Certificate", "description": "", "course_title": "", "is_active": True,
              "signatories": [SIGNATORY], **changes}
    with app.test_request_context():
        assert save_config(COURSE, user_id=None, **values) is True


def task_records(app: Any) -> list[TaskRecord]:
    with app.extensions["kampus"].db.session_scope() as db_session:
        rows = list(db_session.scalars(sa.select(TaskRecord).where(TaskRecord.name == TASK)
                                       .order_by(TaskRecord.created_at)))
        db_session.expunge_all()
        return rows


def status_of(app: Any, user: Any) -> str | None:
    with app.test_request_context():
        info = certificate_status(user.id, COURSE)
    return info.status if info else None


def test_activating_the_configuration_gives_earlier_passers_their_certificates(app, events) -> None:
    publish_graded_course(app)
    passed, failed, audit = learner(app, earned=1.0), learner(app, earned=0.0), learner(app, mode="audit", earned=1.0)
    assert [status_of(app, user) for user in (passed, failed, audit)] == [None, None, None]
    assert task_records(app) == []

    activate(app)

    assert status_of(app, passed) == "downloadable"
    assert status_of(app, failed) == "notpassing"
    assert status_of(app, audit) == "audit_passing"
    [record] = task_records(app)
    assert record.state == "SUCCESS" and record.course_id == COURSE
    assert record.progress_current == record.progress_total == 3
    assert record.result["statuses"] == {"downloadable": 1, "notpassing": 1, "audit_passing": 1}
    [created] = events.of_type("edx.certificate.created")
    assert created["event"]["user_id"] == passed.id and created["event"]["generation_mode"] == "batch"


def test_only_a_change_of_the_active_configuration_starts_the_task(app) -> None:
    publish_graded_course(app)
    learner(app, earned=1.0)
    activate(app)
    assert len(task_records(app)) == 1
    with app.test_request_context():  # an edit elsewhere in the course: same configuration
        update_fields(COURSE, ("problem", "p1"), {"display_name": "Renamed"}, user_id=None)
        publish(COURSE, user_id=None)
        with app.extensions["kampus"].db.session_scope() as db_session:
            state = db_session.get(CertificateConfigState, COURSE)
            assert state is not None and state.signature
    assert len(task_records(app)) == 1
    activate(app, signatories=[{**SIGNATORY, "title": "Dean"}])  # a new signatory title: the task again
    assert len(task_records(app)) == 2
    activate(app, is_active=False, signatories=[])  # deactivated: nothing to give
    assert len(task_records(app)) == 2


def test_a_course_published_with_its_configuration_active_is_covered_from_the_start(app) -> None:
    publish_graded_course(app, certificates={"certificates": [
        {"id": 1, "name": "Cert", "is_active": True, "signatories": [SIGNATORY]}]})
    [record] = task_records(app)
    assert record.state == "SUCCESS" and record.result["updated"] == 0  # nobody graded yet


def test_the_task_works_in_batches_and_running_it_again_writes_nothing(app, monkeypatch) -> None:
    publish_graded_course(app)
    users = [learner(app, earned=1.0) for _ in range(5)]
    monkeypatch.setattr(certificate_tasks, "BATCH", 2)
    activate(app)
    assert {status_of(app, user) for user in users} == {"downloadable"}
    with app.test_request_context():
        with recording_statements(app) as statements:
            record = submit(certificate_tasks.update_course_certificates, course_id=COURSE)
        grade_reads = statements.touching("FROM lms_grades_course")
        assert len(grade_reads) == 1 + 3  # the learners, then one read per batch of 2
        assert statements.writes("lms_generated_certificate") == []
    [_first, again] = task_records(app)
    assert again.id == record.id and again.state == "SUCCESS"
    assert again.result["statuses"] == {"downloadable": 5}


def test_allowlisted_learners_without_a_grade_are_covered(app) -> None:
    publish_graded_course(app)
    allowlisted = make_user(app, "user")
    with app.test_request_context():
        set_course_mode(COURSE, "honor", "Honor")
        enroll(allowlisted, COURSE, "honor", check_access=False)
        set_allowlisted(allowlisted.id, COURSE, True, "Did the work offline")
    activate(app)
    assert status_of(app, allowlisted) == "downloadable"


def test_course_staff_may_start_it_from_the_task_api(app) -> None:
    publish_graded_course(app)
    passed = learner(app, earned=1.0)
    with app.test_request_context():  # configured in the draft and published without the hook's help
        update_fields(COURSE, ("course", "course"), {"certificates": {"certificates": [
            {"id": 1, "name": "Cert", "is_active": True, "signatories": [SIGNATORY]}]}}, user_id=None)
    staff = client_as(app, "staff", course_id=COURSE)
    outsider = client_as(app, "user")
    body = {"name": TASK, "course_id": COURSE}
    assert outsider.post("/api/tasks/v1/tasks/", json=body).status_code == 403
    with app.test_request_context():
        publish(COURSE, user_id=None)
    response = staff.post("/api/tasks/v1/tasks/", json=body)
    assert response.status_code == 202, response.get_data(as_text=True)
    assert response.get_json()["state"] == "SUCCESS"
    assert status_of(app, passed) == "downloadable"
