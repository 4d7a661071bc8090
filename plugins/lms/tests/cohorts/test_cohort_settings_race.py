"""The first writes of one-row-per-key tables racing another request that adds the row meanwhile: the
request whose snapshot predates that row (MariaDB's repeatable read) still finds and updates it."""

from __future__ import annotations

import sqlalchemy as sa
from kampus_lms.cohorts.api import cohort_settings, set_cohorted
from kampus_lms.cohorts.models import CohortSettings
from kampus_lms.course_home.goals import course_goal, save_course_goal
from kampus_lms.course_home.info import CourseUpdate
from kampus_lms.course_home.models import CourseGoal, UserCourseTag
from kampus_lms.course_home.welcome import VIEW_WELCOME_MESSAGE_KEY, dismiss_welcome, welcome_update

from kampus import db
from kampus.testing import make_user

COURSE = "course-v1:KampusX+Race+2026"


def _added_by_another_request(app, row) -> None:
    with app.extensions["kampus"].db.session_scope() as other:
        other.add(row)


def test_first_settings_read_finds_the_row_another_request_added_meanwhile(app):
    with app.test_request_context():
        session = db.session()
        # this request has read already (as the permission check does): its snapshot starts here
        assert session.scalar(sa.select(CohortSettings.id).where(CohortSettings.course_id == COURSE)) is None
        _added_by_another_request(app, CohortSettings(course_id=COURSE, is_cohorted=True))
        answer = cohort_settings(COURSE)
    with app.app_context():
        row_id = db.session().scalar(sa.select(CohortSettings.id).where(CohortSettings.course_id == COURSE))
    assert answer == {"id": row_id, "is_cohorted": True}


def test_first_set_cohorted_updates_the_row_another_request_added_meanwhile(app):
    with app.test_request_context():
        session = db.session()
        assert session.scalar(sa.select(CohortSettings.id).where(CohortSettings.course_id == COURSE)) is None
        _added_by_another_request(app, CohortSettings(course_id=COURSE, is_cohorted=False))
        set_cohorted(COURSE, True)
    with app.app_context():
        assert cohort_settings(COURSE)["is_cohorted"] is True
        assert db.session().scalar(sa.select(sa.func.count()).select_from(CohortSettings)) == 1


def test_first_goal_updates_the_goal_another_request_saved_meanwhile(app):
    user = make_user(app, "user")
    with app.test_request_context():
        db.session().scalar(sa.select(CourseGoal.id).where(CourseGoal.user_id == user.id))
        _added_by_another_request(app, CourseGoal(user_id=user.id, course_id=COURSE, days_per_week=3,
                                                  subscribed_to_reminders=False))
        save_course_goal(user.id, COURSE, True)
    with app.app_context():
        goal = course_goal(user.id, COURSE)
    assert goal is not None and (goal.days_per_week, goal.subscribed_to_reminders) == (3, True)


def test_first_dismissal_updates_the_tag_another_request_saved_meanwhile(app):
    user = make_user(app, "user")
    updates = [CourseUpdate(id=1, date_text="January 1, 2026", date=None, content="<p>Hello</p>")]
    with app.test_request_context():
        db.session().scalar(sa.select(UserCourseTag.id).where(UserCourseTag.user_id == user.id))
        _added_by_another_request(app, UserCourseTag(user_id=user.id, course_id=COURSE,
                                                     key=VIEW_WELCOME_MESSAGE_KEY, value="other"))
        dismiss_welcome(user.id, COURSE, updates)
    with app.app_context():
        assert welcome_update(user.id, COURSE, updates) is None
