"""Who may open a course's units: visitors, learners, staff, beta testers, and staff viewing as others."""

from __future__ import annotations

import sqlalchemy as sa
from kampus_content.progress.completion import record_completion
from kampus_lms.access import course_access, viewed_as
from kampus_lms.courseware.models import Visit

from kampus import db
from kampus.identity.permissions import grant_role
from kampus.testing import login, make_user


def test_a_visitor_is_sent_to_log_in_and_a_learner_not_enrolled_to_the_about_page(cw, app):
    cw.publish()
    visitor = app.test_client().get(cw.url("c1", "c1s1", 1))
    assert visitor.status_code == 302 and "/login" in visitor.headers["Location"]
    stranger = cw.learner(enrolled=False)
    response = stranger.get(cw.url("c1", "c1s1", 1))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/courses/{cw.COURSE}/about")
    follow = stranger.get(response.headers["Location"])
    assert follow.status_code == 200 and "Enroll in this course to see its content." in follow.get_data(as_text=True)


def test_a_course_not_started_is_closed_to_learners_but_open_to_staff_and_early_to_beta_testers(cw, app):
    cw.publish(course_fields={"start": cw.FUTURE, "days_early_for_beta": 100000})
    learner = cw.learner()
    assert learner.get(cw.url("c1", "c1s1", 1)).status_code == 302
    assert cw.staff().get(cw.url("c1", "c1s1", 1)).status_code == 200
    beta = make_user(app, "beta_tester", cw.COURSE)
    assert login(app.test_client(), beta).get(cw.url("c1", "c1s1", 1)).status_code == 200
    with app.test_request_context():
        access = course_access(learner.user, cw.COURSE)
        assert access is not None and not access.can_view_courseware and access.is_enrolled
        assert access.reason == "This course has not started yet."


def test_unpublished_and_unknown_courses_are_not_found(cw, app):
    with app.app_context():
        store = app.extensions["kampus"].driver("content_store")
        store.create_course("course-v1:KampusX+Draft+2026", cw.blocks(), ("course", "course"), user_id=None)
    staff = cw.staff("course-v1:KampusX+Draft+2026")
    assert staff.get(cw.url("c1", "c1s1", 1, course_id="course-v1:KampusX+Draft+2026")).status_code == 404
    with app.test_request_context():
        assert course_access(staff.user, "course-v1:KampusX+Draft+2026") is None
        assert course_access(staff.user, "garbage") is None


def test_course_roles_and_global_staff_are_staff(cw, app):
    cw.publish()
    for role in ("instructor", "staff", "ta", "global_staff"):
        user = make_user(app, role, cw.COURSE)
        with app.test_request_context():  # a session per request (MariaDB's snapshot would miss new users)
            access = course_access(user, cw.COURSE)
            assert access is not None and access.is_staff and access.can_view_courseware, role
    learner = cw.learner().user
    with app.test_request_context():
        access = course_access(learner, cw.COURSE)
        assert access is not None and not access.is_staff and access.is_enrolled and access.can_view_courseware


def test_masquerade_as_learner_hides_staff_only_units(cw):
    cw.publish(fields={"c1s1u2": {"visible_to_staff_only": True}})
    staff = cw.staff()
    assert staff.get(cw.url("c1", "c1s1", 2)).status_code == 200
    html = staff.get(cw.url("c1", "c1s1", 1)).get_data(as_text=True)
    assert "View this course as:" in html  # the staff toolbar of the course layout
    response = staff.post(f"/courses/{cw.COURSE}/masquerade",
                          data={"role": "student", "next": cw.url("c1", "c1s1", 1)})
    assert response.status_code == 302 and response.headers["Location"].endswith(cw.url("c1", "c1s1", 1))
    as_learner = staff.get(cw.url("c1", "c1s1", 1)).get_data(as_text=True)
    assert 'data-seq-tab="2"' not in as_learner and "You are viewing this course as a learner." in as_learner
    assert staff.get(f"/courses/{cw.COURSE}/jump_to/{cw.usage('vertical', 'c1s1u2')}").status_code == 404
    staff.post(f"/courses/{cw.COURSE}/masquerade", data={"role": "staff"})
    assert 'data-seq-tab="2"' in staff.get(cw.url("c1", "c1s1", 1)).get_data(as_text=True)


def test_masquerade_as_a_specific_learner_shows_their_data_and_saves_nothing(cw, app):
    cw.publish()
    learner = cw.learner(username="ada")
    with app.app_context():
        record_completion(db.session(), user_id=learner.user.id, course_key=cw.COURSE,
                          usage_key=cw.usage("html", "c1s1u1h"), block_type="html", completion=1.0)
        db.session().commit()
    staff = cw.staff()
    assert ", completed" not in staff.get(cw.url("c1", "c1s1", 2)).get_data(as_text=True)
    staff.post(f"/courses/{cw.COURSE}/masquerade", data={"role": "specific", "user_name": "ada"})
    staff.get(cw.url("c1", "c1s1", 1))  # viewing another unit as ada moves nobody's position
    staff.post(f"/courses/{cw.COURSE}/masquerade", data={"role": "specific", "user_name": "ADA"})
    html = staff.get(cw.url("c1", "c1s1", 2)).get_data(as_text=True)
    assert "Unit 1 of 2: Unit 1.1.1, completed" in html
    assert "You are looking at the course as ada" in html
    with app.app_context():
        # the visit is recorded for neither of them (the staff member's own is from before)
        visits = db.session().execute(sa.select(Visit.user_id, Visit.unit_id)).all()
        assert visits == [(staff.user.id, cw.usage("vertical", "c1s1u2"))]


def test_masquerade_refuses_non_staff_unknown_and_unenrolled_learners(cw, app):
    cw.publish()
    learner = cw.learner()
    refused = learner.post(f"/courses/{cw.COURSE}/masquerade", data={"role": "student"},
                           headers={"Accept": "application/json"})
    assert refused.status_code == 400 and "Only course staff" in refused.get_json()["error"]
    staff = cw.staff()
    make_user(app, "user", username="bystander")
    for name in ("nobody", "bystander"):
        answer = staff.post(f"/courses/{cw.COURSE}/masquerade", data={"role": "specific", "user_name": name},
                            headers={"Accept": "application/json"})
        assert answer.status_code == 400 and "enrolled in this course" in answer.get_json()["error"]
    empty = staff.post(f"/courses/{cw.COURSE}/masquerade", data={"role": "specific", "user_name": ""},
                       headers={"Accept": "application/json"})
    assert empty.status_code == 400
    assert staff.post(f"/courses/{cw.COURSE}/masquerade", data={"role": "student"}, csrf=False).status_code == 400
    with app.test_request_context():
        assert viewed_as(staff.user, cw.COURSE) == (staff.user, True)


def test_learners_get_no_staff_toolbar(cw):
    cw.publish()
    html = cw.learner().get(cw.url("c1", "c1s1", 1)).get_data(as_text=True)
    assert "View this course as:" not in html and "/masquerade" not in html


def test_a_learner_holding_the_learner_role_without_enrollment_may_view(cw, app):
    cw.publish()
    user = make_user(app, "user")
    with app.app_context():
        grant_role(db.session(), user, "learner", cw.COURSE)
        db.session().commit()
    assert login(app.test_client(), user).get(cw.url("c1", "c1s1", 1)).status_code == 200
