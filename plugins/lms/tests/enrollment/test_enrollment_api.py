"""Enrollment rules and events (Open edX's ``CourseEnrollment.enroll`` and ``_can_enroll_courselike``)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from kampus_content.api import Block
from kampus_content.testing.xblocks import publish_course
from kampus_lms.enrollment import api
from kampus_lms.enrollment.models import CourseEnrollment

from kampus.identity.permissions import course_roles, grant_role
from kampus.testing import make_user, recording_statements

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")

COURSE = "course-v1:Org+Enroll+1"
ENROLLMENT_EVENTS = (api.EVENT_ACTIVATED, api.EVENT_DEACTIVATED, api.EVENT_MODE_CHANGED)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def publish(app, course_id: str = COURSE, **fields: str) -> None:
    publish_course(app, course_id, {"unit": [Block("html", "page", {"data": "<p>Hello</p>"})]},
                   course_fields={"display_name": "Enrollment course", **fields})


def enrollment_events(events) -> list[tuple[str, dict]]:
    return [(event["event_type"], event["event"]) for event in events.events
            if event["event_type"] in ENROLLMENT_EVENTS]


def rows(app, course_id: str = COURSE) -> list[tuple[int, str, bool]]:
    with app.extensions["kampus"].db.session_scope() as db_session:
        return [tuple(row) for row in db_session.execute(
            sa.select(CourseEnrollment.user_id, CourseEnrollment.mode, CourseEnrollment.is_active)
            .where(CourseEnrollment.course_id == course_id).order_by(CourseEnrollment.user_id))]


def test_enroll_unenroll_and_enroll_again(app, events) -> None:
    publish(app)
    learner = make_user(app)
    with app.app_context():
        assert not api.is_enrolled(learner.id, COURSE)
        enrollment = api.enroll(learner, COURSE)
        assert (enrollment.user_id, enrollment.course_id, enrollment.mode, enrollment.is_active) == (
            learner.id, COURSE, "audit", True)
        assert api.is_enrolled(learner.id, COURSE)
        assert api.enroll(learner, COURSE) == enrollment  # a second submit changes nothing
        assert api.enrolled_user_ids(COURSE) == [learner.id] and api.count_enrolled(COURSE) == 1
        assert api.unenroll(learner, COURSE) is True
        assert api.unenroll(learner, COURSE) is False
        assert not api.is_enrolled(learner.id, COURSE)
        kept = api.get_enrollment(learner.id, COURSE)
        assert kept is not None and not kept.is_active
        assert api.enrollments_of(learner.id) == []
        assert [e.course_id for e in api.enrollments_of(learner.id, active_only=False)] == [COURSE]
        again = api.enroll(learner, COURSE)
        assert again.is_active and again.created == enrollment.created  # the same row, reactivated
    assert rows(app) == [(learner.id, "audit", True)]
    expected = {"course_id": COURSE, "user_id": learner.id, "mode": "audit"}
    assert enrollment_events(events) == [(api.EVENT_ACTIVATED, expected), (api.EVENT_DEACTIVATED, expected),
                                         (api.EVENT_ACTIVATED, expected)]
    activated = next(event for event in events.events if event["event_type"] == api.EVENT_ACTIVATED)
    assert activated["context"]["course_id"] == COURSE and activated["context"]["org_id"] == "Org"
    assert activated["username"] == learner.username  # no request: the enrolled user


def test_an_active_enrollment_gives_the_learner_role(app) -> None:
    publish(app)
    learner = make_user(app)
    with app.test_request_context():
        assert "learner" not in course_roles(learner, COURSE)
        api.enroll(learner, COURSE)
        assert "learner" in course_roles(learner, COURSE)
        api.unenroll(learner, COURSE)
        assert "learner" not in course_roles(learner, COURSE)


def test_the_batch_roles_hook_answers_as_the_single_one_in_one_query(app) -> None:
    """``kampus_users_course_roles``: ``learner`` for the active enrollments only, one query for all, and the
    same answers as ``kampus_user_course_roles``."""
    publish(app)
    enrolled, left, never = make_user(app), make_user(app), make_user(app)
    with app.test_request_context():
        api.enroll(enrolled, COURSE)
        api.enroll(left, COURSE)
        api.unenroll(left, COURSE)
    ids = [enrolled.id, left.id, never.id]
    with app.app_context():
        hook = app.extensions["kampus"].hook
        with recording_statements(app) as recorder:
            [answer] = hook.kampus_users_course_roles(user_ids=ids, course_id=COURSE)
        assert answer == {enrolled.id: ["learner"]} and recorder.count == 1
        single = {user_id: roles for user_id in ids
                  for roles in hook.kampus_user_course_roles(user_id=user_id, course_id=COURSE) if roles}
        assert single == answer
        assert hook.kampus_users_course_roles(user_ids=[], course_id=COURSE) == [{}]


def test_an_unpublished_or_unknown_course_cannot_be_enrolled_in(app) -> None:
    learner = make_user(app)
    with app.test_request_context():
        for course_id in (COURSE, "not a course key"):
            with pytest.raises(api.EnrollmentError) as refused:
                api.enroll(learner, course_id)
            assert refused.value.code == "not_found"
    assert rows(app) == []


def test_modes(app, events) -> None:
    publish(app)
    learner = make_user(app)
    with app.test_request_context():
        assert [(mode.slug, mode.min_price) for mode in api.course_modes(COURSE)] == [("audit", 0)]
        api.set_course_mode(COURSE, "verified", "Verified Certificate", min_price=49)
        api.set_course_mode(COURSE, "honor", "Honor Code")
        api.set_course_mode(COURSE, "old", "Expired", expiration=datetime.now(UTC) - timedelta(days=1))
        assert [(mode.slug, mode.min_price) for mode in api.course_modes(COURSE)] == [
            ("honor", 0), ("verified", 49)]
        assert "old" in [mode.slug for mode in api.course_modes(COURSE, include_expired=True)]
        for mode in ("audit", "old", "nonsense"):  # no longer offered, expired, unknown
            with pytest.raises(api.EnrollmentError) as refused:
                api.enroll(learner, COURSE, mode)
            assert refused.value.code == "bad_mode"
        with pytest.raises(api.EnrollmentError) as refused:
            api.enroll(learner, COURSE, "verified")  # sold by the commerce plugin
        assert refused.value.code == "bad_mode" and "purchased" in refused.value.message
        assert api.enroll(learner, COURSE).mode == "honor"  # the default: audit, else honor
        upgraded = api.enroll(learner, COURSE, "verified", check_access=False)  # e.g. after payment
        assert upgraded.mode == "verified"
    assert [name for name, _ in enrollment_events(events)] == [api.EVENT_ACTIVATED, api.EVENT_MODE_CHANGED]
    assert enrollment_events(events)[-1][1]["mode"] == "verified"


def test_reenrolling_in_another_mode_reports_both_changes(app, events) -> None:
    publish(app)
    api_user = make_user(app)
    with app.test_request_context():
        api.set_course_mode(COURSE, "audit", "Audit")
        api.set_course_mode(COURSE, "honor", "Honor")
        api.enroll(api_user, COURSE, "audit")
        api.unenroll(api_user, COURSE)
        api.enroll(api_user, COURSE, "honor")
    assert enrollment_events(events)[-2:] == [
        (api.EVENT_ACTIVATED, {"course_id": COURSE, "user_id": api_user.id, "mode": "honor"}),
        (api.EVENT_MODE_CHANGED, {"course_id": COURSE, "user_id": api_user.id, "mode": "honor"}),
    ]


@pytest.mark.parametrize("fields", [
    {"enrollment_end": iso(datetime.now(UTC) - timedelta(days=1))},
    {"enrollment_start": iso(datetime.now(UTC) + timedelta(days=1))},
])
def test_the_enrollment_window(app, fields) -> None:
    publish(app, **fields)
    learner = make_user(app)
    staff = make_user(app, "staff", course_id=COURSE)
    invited = make_user(app)
    with app.test_request_context():
        with pytest.raises(api.EnrollmentError) as refused:
            api.enroll(learner, COURSE)
        assert refused.value.code == "closed"
        assert api.enroll(staff, COURSE).is_active  # course staff pass the window
        api.allow_enrollment(COURSE, invited.email.upper())  # an allowance opens it (any case)
        assert api.enroll(invited, COURSE).is_active
        assert api.enroll(learner, COURSE, check_access=False).is_active  # staff enrolling someone
    assert len(rows(app)) == 3


def test_an_open_window(app) -> None:
    now = datetime.now(UTC)
    publish(app, enrollment_start=iso(now - timedelta(days=1)), enrollment_end=iso(now + timedelta(days=1)))
    learner = make_user(app)
    with app.test_request_context():
        assert api.enroll(learner, COURSE).is_active


def test_invitation_only(app) -> None:
    publish(app, invitation_only="true")
    stranger, invited, instructor = make_user(app), make_user(app), make_user(app, "instructor", course_id=COURSE)
    global_staff = make_user(app, "global_staff")
    with app.test_request_context():
        with pytest.raises(api.EnrollmentError) as refused:
            api.enroll(stranger, COURSE)
        assert refused.value.code == "invitation_only"
        api.allow_enrollment(COURSE, invited.email)
        assert api.enroll(invited, COURSE).is_active
        assert api.enroll(instructor, COURSE).is_active
        assert api.enroll(global_staff, COURSE).is_active
    assert stranger.id not in [user_id for user_id, _, _ in rows(app)]


def test_the_enrollment_limit_counts_learners_only(app) -> None:
    publish(app, max_student_enrollments_allowed="2")
    first, second, third = make_user(app), make_user(app), make_user(app)
    staff = make_user(app, "staff", course_id=COURSE)
    with app.test_request_context():
        api.enroll(staff, COURSE)  # staff do not count
        api.enroll(first, COURSE)
        api.enroll(second, COURSE)
        assert api.count_enrolled_learners(COURSE) == 2 and api.count_enrolled(COURSE) == 3
        with pytest.raises(api.EnrollmentError) as refused:
            api.enroll(third, COURSE)
        assert refused.value.code == "full" and refused.value.message
        api.unenroll(staff, COURSE)
        api.enroll(staff, COURSE)  # staff are let in when full
        api.unenroll(first, COURSE)  # a place frees up
        assert api.enroll(third, COURSE).is_active
        with pytest.raises(api.EnrollmentError):
            api.enroll(first, COURSE)  # and is taken again


def test_an_org_staff_role_counts_as_course_staff(app) -> None:
    publish(app, max_student_enrollments_allowed="1")
    org_staff, learner = make_user(app), make_user(app)
    with app.extensions["kampus"].db.session_scope() as db_session:
        grant_role(db_session, org_staff, "staff", org="Org")
    with app.test_request_context():
        api.enroll(org_staff, COURSE)
        assert api.count_enrolled_learners(COURSE) == 0
        assert api.enroll(learner, COURSE).is_active


@pytest.mark.parametrize("before, action, expected_event, active", [
    (None, "enroll", api.EVENT_ACTIVATED, True),  # the first enrollment
    ("unenrolled", "enroll", api.EVENT_ACTIVATED, True),  # a reactivation
    ("enrolled", "unenroll", api.EVENT_DEACTIVATED, False),
])
def test_simultaneous_requests_write_one_row_and_one_event(app, events, before, action, expected_event,
                                                          active) -> None:
    publish(app)
    learner = make_user(app)
    with app.test_request_context():
        if before is not None:
            api.enroll(learner, COURSE)
        if before == "unenrolled":
            api.unenroll(learner, COURSE)
    events.clear()
    barrier = threading.Barrier(4)
    failures: list[BaseException] = []

    def submit() -> None:
        with app.test_request_context():
            try:
                barrier.wait()
                getattr(api, action)(learner, COURSE)
            except BaseException as exc:  # reported below
                failures.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert rows(app) == [(learner.id, "audit", active)]
    assert [name for name, _ in enrollment_events(events)] == [expected_event]


def test_is_enrolled_is_read_once_per_request_and_enrolling_forgets_it(app) -> None:
    publish_course(app, "course-v1:Org+Once+1", {"u": [Block("html", "h", {"data": "<p>x</p>"})]})
    user = make_user(app, "user")
    with app.test_request_context():
        with recording_statements(app) as recorded:
            assert not api.is_enrolled(user.id, "course-v1:Org+Once+1")
            assert not api.is_enrolled(user.id, "course-v1:Org+Once+1")
        assert len(recorded.touching("lms_course_enrollment")) == 1
        api.enroll(user, "course-v1:Org+Once+1", check_access=False)
        assert api.is_enrolled(user.id, "course-v1:Org+Once+1")
        api.unenroll(user, "course-v1:Org+Once+1")
        assert not api.is_enrolled(user.id, "course-v1:Org+Once+1")
