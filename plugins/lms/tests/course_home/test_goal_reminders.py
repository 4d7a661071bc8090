"""Weekly learning goals on the outline, the days of activity they count, and the reminder e-mails (Open edX's
``goal_reminder_email``): who gets one and when, at most once a week, and the unsubscribe link."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import pytz
import sqlalchemy as sa
from kampus_lms.api import enroll
from kampus_lms.certificates.models import GeneratedCertificate
from kampus_lms.course_home import goal_reminders
from kampus_lms.course_home.api import Goal, course_goal, save_course_goal
from kampus_lms.course_home.goal_reminders import send_goal_reminders, unsubscribe_url
from kampus_lms.course_home.models import CourseGoal, UserActivity
from kampus_lms.enrollment.models import CourseEnrollment

from kampus import db
from kampus.drivers.mailer import MailError, message_text
from kampus.identity.models import User
from kampus.identity.preferences import TIME_ZONE, set_preference
from kampus.testing import make_user

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")

#: A Wednesday: the week began on Monday 2026-12-07; 5 days are left, today included.
WEDNESDAY = datetime(2026, 12, 9, 12, 0, tzinfo=UTC)
MONDAY = date(2026, 12, 7)


def _days(app, user_id: int, course: str) -> list[date]:
    with app.app_context():
        return list(db.session().scalars(sa.select(UserActivity.day).where(
            UserActivity.user_id == user_id, UserActivity.course_id == course).order_by(UserActivity.day)))


# -- activity and the outline's goal -------------------------------------------------------------------------------


def _enrolled(app, client_as, course: str) -> Any:
    """A client logged in as a new learner enrolled in ``course``."""
    client = client_as("user", course)
    with app.app_context():
        enroll(db.session().get(User, client.user.id), course, check_access=False)
    return client


def test_course_pages_record_one_day_of_activity_in_the_learners_time_zone(app, olx_course, client_as):
    course = olx_course()
    learner = _enrolled(app, client_as, course)
    with app.app_context():
        set_preference(learner.user.id, TIME_ZONE, "Pacific/Kiritimati")  # UTC+14: often another day than UTC
        db.session().commit()
    assert learner.get(f"/courses/{course}/course/").status_code == 200
    assert learner.get(f"/courses/{course}/course/").status_code == 200
    assert learner.get(f"/courses/{course}/progress").status_code == 200
    unit = learner.get(f"/courses/{course}/courseware/ch1/s1_1/1")
    assert unit.status_code == 200
    assert _days(app, learner.user.id, course) == [datetime.now(pytz.timezone("Pacific/Kiritimati")).date()]


def test_the_learning_mfe_records_activity_on_every_course_tab(app, olx_course, client_as):
    """Open edX records it in the course home metadata, which each of the MFE's course tabs asks for."""
    course = olx_course()
    learner = _enrolled(app, client_as, course)
    assert learner.get(f"/api/course_home/v1/course_metadata/{course}").status_code == 200
    assert len(_days(app, learner.user.id, course)) == 1
    staff = client_as("staff", course)  # not enrolled
    assert staff.get(f"/api/course_home/v1/course_metadata/{course}").status_code == 200
    assert _days(app, staff.user.id, course) == []


def test_staff_and_viewers_who_are_not_enrolled_record_no_activity(app, olx_course, client_as):
    course = olx_course()
    for role in ("staff", "learner"):  # "learner": a course role that views without an enrollment
        viewer = client_as(role, course)
        assert viewer.get(f"/courses/{course}/course/").status_code == 200
        assert viewer.get(f"/courses/{course}/courseware/ch1/s1_1/1").status_code == 200
    with app.app_context():
        assert db.session().scalar(sa.select(sa.func.count()).select_from(UserActivity)) == 0


def test_the_outline_sets_a_goal_and_counts_this_weeks_days(app, olx_course, client_as):
    course = olx_course()
    learner = _enrolled(app, client_as, course)
    page = learner.get(f"/courses/{course}/course/").get_data(as_text=True)
    assert 'id="lms-goal"' in page and "Set a goal" in page and "lms-goal-progress" not in page

    saved = learner.post(f"/courses/{course}/course/goal",
                         data={"days_per_week": "3", "subscribed_to_reminders": "1"})
    assert saved.status_code == 303 and saved.headers["Location"].endswith("/course/#lms-goal")
    with app.app_context():
        goal = course_goal(learner.user.id, course)
        assert (goal.days_per_week, goal.subscribed_to_reminders) == (3, True)
    page = learner.get(f"/courses/{course}/course/").get_data(as_text=True)
    assert "This week: 1 of 3 days" in page and 'id="lms-goal-3" value="3" autocomplete="off" required checked' in page
    assert 'id="lms-goal-remind" checked' in page

    # one day is enough for a 1-day goal: reached
    learner.post(f"/courses/{course}/course/goal", data={"days_per_week": "1"})
    page = learner.get(f"/courses/{course}/course/").get_data(as_text=True)
    assert "This week: 1 of 1 day" in page and 'id="lms-goal-reached"' in page
    with app.app_context():
        assert course_goal(learner.user.id, course).subscribed_to_reminders is False  # the box was not ticked

    for bad in ("8", "-1", "three", ""):
        refused = learner.post(f"/courses/{course}/course/goal", data={"days_per_week": bad})
        assert refused.status_code == 303
    with app.app_context():
        assert course_goal(learner.user.id, course).days_per_week == 1

    learner.post(f"/courses/{course}/course/goal", data={"days_per_week": "0"})  # "Turn my goal off"
    with app.app_context():
        assert course_goal(learner.user.id, course) == Goal(days_per_week=0, subscribed_to_reminders=False)
    assert "lms-goal-progress" not in learner.get(f"/courses/{course}/course/").get_data(as_text=True)


def test_only_an_enrolled_learner_sets_a_goal(app, olx_course, client_as):
    course = olx_course()
    for role in ("staff", "learner"):
        viewer = client_as(role, course)
        assert viewer.post(f"/courses/{course}/course/goal", data={"days_per_week": "3"}).status_code == 403
    visitor = client_as("anonymous")
    assert visitor.post(f"/courses/{course}/course/goal", data={"days_per_week": "3"}).status_code in (302, 303)
    with app.app_context():
        assert db.session().scalar(sa.select(sa.func.count()).select_from(CourseGoal)) == 0


# -- reminders -----------------------------------------------------------------------------------------------------


def _learner(app, course: str, *, days: int = 5, subscribed: bool = True, enrolled: date = date(2026, 11, 1),
             active: tuple[date, ...] = (), zone: str | None = None, **fields: Any) -> int:
    """A learner enrolled in ``course`` on ``enrolled`` with a goal of ``days`` and activity on ``active``."""
    user = make_user(app, **fields)
    with app.app_context():
        session = db.session()
        enroll(session.get(User, user.id), course, check_access=False)
        session.execute(sa.update(CourseEnrollment).where(CourseEnrollment.user_id == user.id).values(
            created=datetime.combine(enrolled, datetime.min.time(), tzinfo=UTC)))
        save_course_goal(user.id, course, subscribed, days)
        for day in active:
            session.add(UserActivity(user_id=user.id, course_id=course, day=day))
        if zone:
            set_preference(user.id, TIME_ZONE, zone)
        session.commit()
    return user.id


def _run(app, now: datetime) -> dict[str, int]:
    with app.app_context():
        return send_goal_reminders(now)


def _recipients(mailbox) -> list[str]:
    return sorted(message["To"] for message in mailbox)


def test_the_reminder_goes_on_the_last_day_the_goal_can_be_reached(app, olx_course, mailbox, events):
    course = olx_course()
    due = _learner(app, course, days=5, email="due@example.org")  # 5 days needed, 5 left
    _learner(app, course, days=5, active=(MONDAY,), email="on-track@example.org")  # 4 needed, 5 left
    _learner(app, course, days=3, email="later@example.org")  # 3 needed: due on Friday
    _learner(app, course, days=5, subscribed=False, email="no-reminders@example.org")
    _learner(app, course, days=5, enrolled=MONDAY, email="new@example.org")  # enrolled this week
    counts = _run(app, WEDNESDAY)
    assert _recipients(mailbox) == ["due@example.org"]
    assert counts["sent"] == 1 and counts["goals"] == 4  # the unsubscribed goal is not even looked at

    message = mailbox[0]
    text = message_text(message)
    assert "Home Course" in message["Subject"] and "5 days a week in Home Course" in text
    with app.app_context(), app.test_request_context():
        link = unsubscribe_url(due, course)
    assert link in text and message["List-Unsubscribe"] == f"<{link}>"
    assert f"/courses/{course}/course/" in text
    started = events.of_type("edx.course.goal.email.session_started")
    completed = events.of_type("edx.course.goal.email.session_completed")
    assert started[-1]["event"]["goal_count"] == 4
    assert completed[-1]["event"]["emails_sent"] == 1 and completed[-1]["event"]["emails_filtered"] == 3

    friday = WEDNESDAY + timedelta(days=2)
    _run(app, friday)
    assert _recipients(mailbox) == ["due@example.org", "later@example.org"]


def test_one_reminder_a_week_even_when_the_run_repeats_and_again_the_next_week(app, olx_course, mailbox):
    course = olx_course()
    _learner(app, course, days=5, email="due@example.org")
    _run(app, WEDNESDAY)
    _run(app, WEDNESDAY + timedelta(hours=1))  # the next hourly run
    _run(app, WEDNESDAY + timedelta(days=1))  # still behind on Thursday: 5 needed, 4 left, no second mail
    assert _recipients(mailbox) == ["due@example.org"]
    _run(app, WEDNESDAY + timedelta(days=7))  # next Wednesday: a new week
    assert _recipients(mailbox) == ["due@example.org", "due@example.org"]


def test_reminders_wait_for_the_learners_working_hours(app, olx_course, mailbox):
    course = olx_course()
    _learner(app, course, days=5, zone="America/Los_Angeles", email="west@example.org")
    _learner(app, course, days=5, zone="Asia/Tokyo", email="east@example.org")
    _run(app, WEDNESDAY.replace(hour=2))  # 18:00 Tuesday in Los Angeles, 11:00 Wednesday in Tokyo
    assert _recipients(mailbox) == ["east@example.org"]
    _run(app, WEDNESDAY.replace(hour=15))  # 07:00 Wednesday in Los Angeles: too early
    thursday = WEDNESDAY + timedelta(days=1)
    _run(app, thursday.replace(hour=2))  # 18:00 Wednesday in Los Angeles: too late (the hour is excluded)
    assert _recipients(mailbox) == ["east@example.org"]
    _run(app, thursday.replace(hour=1, minute=59))  # 17:59 Wednesday in Los Angeles
    assert _recipients(mailbox) == ["east@example.org", "west@example.org"]


def test_no_reminder_on_a_monday_as_open_edx(app, olx_course, mailbox):
    course = olx_course()
    _learner(app, course, days=7, email="seven@example.org")  # 7 needed, 7 left: only a Monday could tell
    _learner(app, course, days=6, email="six@example.org")
    monday = WEDNESDAY - timedelta(days=2)
    _run(app, monday)
    assert mailbox == []
    _run(app, monday + timedelta(days=1))  # Tuesday: 6 needed, 6 left
    assert _recipients(mailbox) == ["six@example.org"]


def test_one_failing_reminder_does_not_stop_the_run_and_is_tried_again(app, olx_course, mailbox, monkeypatch,
                                                                      events):
    course = olx_course()
    broken = _learner(app, course, days=5, email="broken@example.org")
    _learner(app, course, days=5, email="fine@example.org")
    real = goal_reminders.reminder_message

    def building(candidate):
        if candidate.user_id == broken:
            raise RuntimeError("a template that does not render")
        return real(candidate)

    monkeypatch.setattr(goal_reminders, "reminder_message", building)
    counts = _run(app, WEDNESDAY)
    assert (counts["sent"], counts["failed"]) == (1, 1) and _recipients(mailbox) == ["fine@example.org"]
    assert [e["event"]["reason"] for e in events.of_type("edx.course.goal.email.failed")] == ["error"]
    assert events.of_type("edx.course.goal.email.session_completed")[-1]["event"]["emails_sent"] == 1
    monkeypatch.setattr(goal_reminders, "reminder_message", real)
    _run(app, WEDNESDAY + timedelta(hours=1))  # the claim was released: the next run sends it
    assert _recipients(mailbox) == ["broken@example.org", "fine@example.org"]


def test_no_reminder_in_a_course_that_ends_before_the_week_does(app, olx_course, mailbox):
    ending = olx_course(course_attrs={"end": "2026-12-12T00:00:00Z"})  # Saturday: the week cannot be finished
    _learner(app, ending, days=5, email="ending@example.org")
    assert _run(app, WEDNESDAY)["filtered"] == 1
    assert mailbox == []


def test_a_certificate_or_a_closed_account_gets_no_reminder(app, olx_course, mailbox):
    course = olx_course()
    certified = _learner(app, course, days=5, email="certified@example.org")
    closed = _learner(app, course, days=5, email="closed@example.org")
    unenrolled = _learner(app, course, days=5, email="left@example.org")
    with app.app_context():
        session = db.session()
        session.add(GeneratedCertificate(user_id=certified, course_id=course, status="downloadable"))
        session.get(User, closed).is_active = False
        session.execute(sa.update(CourseEnrollment).where(CourseEnrollment.user_id == unenrolled)
                        .values(is_active=False))
        session.commit()
    assert _run(app, WEDNESDAY)["goals"] == 0
    assert mailbox == []


def test_a_failed_delivery_is_sent_again_by_a_later_run(app, olx_course, mailbox, monkeypatch, events):
    course = olx_course()
    learner = _learner(app, course, days=5, email="due@example.org")
    mailer = app.extensions["kampus"].mailer
    real = mailer.deliver

    def failing(message):
        raise MailError("the relay is down")

    monkeypatch.setattr(mailer, "deliver", failing)
    assert _run(app, WEDNESDAY)["failed"] == 1
    assert [e["event"]["reason"] for e in events.of_type("edx.course.goal.email.failed")] == ["mailer error"]
    with app.app_context():
        assert db.session().scalar(sa.select(CourseGoal.reminder_sent_week)
                                   .where(CourseGoal.user_id == learner)) is None
    monkeypatch.setattr(mailer, "deliver", real)
    assert _run(app, WEDNESDAY + timedelta(hours=1))["sent"] == 1
    assert _recipients(mailbox) == ["due@example.org"]
    with app.app_context():
        assert db.session().scalar(sa.select(CourseGoal.reminder_sent_week)
                                   .where(CourseGoal.user_id == learner)) == MONDAY


def test_a_claim_taken_by_another_run_is_not_sent_twice(app, olx_course, mailbox, monkeypatch):
    """Two runs at once (a late worker): both find the goal due, only the one whose compare-and-set wins sends."""
    course = olx_course()
    _learner(app, course, days=5, email="due@example.org")
    real = goal_reminders._why_not

    def the_other_run_claims_first(candidate, local_now, active):
        reason = real(candidate, local_now, active)
        if reason is None:
            assert goal_reminders._claim(candidate.goal_id, MONDAY) is True  # the other run, in between
        return reason

    monkeypatch.setattr(goal_reminders, "_why_not", the_other_run_claims_first)
    counts = _run(app, WEDNESDAY)
    assert (counts["sent"], counts["filtered"]) == (0, 1) and mailbox == []


# -- unsubscribing -------------------------------------------------------------------------------------------------


def _unsubscribe_path(app, learner: int, course: str) -> str:
    """The site path of the unsubscribe link of ``learner``'s reminders in ``course``."""
    with app.app_context(), app.test_request_context():
        link = unsubscribe_url(learner, course)
    return link[link.index("/goal-unsubscribe/"):]


def test_the_unsubscribe_link_asks_then_turns_the_reminders_off(app, olx_course, client_as):
    course = olx_course()
    learner = _learner(app, course, days=5)
    path = _unsubscribe_path(app, learner, course)
    visitor = client_as("anonymous")  # the link works from any device, logged in or not
    asked = visitor.get(path)
    assert asked.status_code == 200 and "Stop receiving goal reminders for Home Course?" in asked.get_data(as_text=True)
    with app.app_context():
        assert course_goal(learner, course).subscribed_to_reminders is True
    done = visitor.post(path)
    assert done.status_code == 200 and 'id="goal-unsubscribe-done"' in done.get_data(as_text=True)
    with app.app_context():
        goal = course_goal(learner, course)
        assert (goal.days_per_week, goal.subscribed_to_reminders) == (5, False)  # the goal itself stays


def test_one_click_unsubscribe_and_forged_tokens(app, olx_course, client_as):
    course = olx_course()
    learner = _learner(app, course, days=5)
    path = _unsubscribe_path(app, learner, course)
    visitor = client_as("anonymous")
    clicked = visitor.post(path, data={"List-Unsubscribe": "One-Click"})
    assert clicked.status_code == 200 and clicked.mimetype == "text/plain"
    with app.app_context():
        assert course_goal(learner, course).subscribed_to_reminders is False
    assert visitor.get(path[:-3] + "xyz").status_code == 404
    assert visitor.post(path[:-3] + "xyz").status_code == 404
    no_goal = _unsubscribe_path(app, learner, "course-v1:No+Goal+Here")
    assert visitor.get(no_goal).status_code == 404 and visitor.post(no_goal).status_code == 404


def test_open_edx_unsubscribe_api_takes_the_token(app, olx_course, client_as):
    course = olx_course()
    learner = _learner(app, course, days=3)
    with app.app_context(), app.test_request_context():
        token = goal_reminders.unsubscribe_token(learner, course)
    visitor = client_as("anonymous")
    answer = visitor.post(f"/api/course_home/v1/unsubscribe_from_course_goal/{token}")
    assert answer.status_code == 200 and answer.get_json() == {"course_title": "Home Course"}
    with app.app_context():
        assert course_goal(learner, course).subscribed_to_reminders is False
    forged = visitor.post(f"/api/course_home/v1/unsubscribe_from_course_goal/{token[:-2]}xx")
    assert forged.status_code == 404 and "detail" in forged.get_json()


def test_the_reminders_run_every_hour_as_a_periodic_task(app):
    entries = {entry.name: entry for entry in app.extensions["kampus.periodic_tasks"]}
    assert entries["lms.goal_reminders"].crontab == "7 * * * *"
    assert entries["lms.goal_reminders"].task == goal_reminders.REMINDER_TASK
