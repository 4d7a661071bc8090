"""Goal reminder e-mails (Open edX's ``goal_reminder_email`` command), sent by the periodic task
``lms.goal_reminders`` every hour.

**Who gets one.** A learner whose weekly goal in a course has days (``days_per_week`` > 0) and who asked for
reminders gets at most one e-mail a week for that course, on the last day they can still reach the goal: when
the days they still need this week (the goal's days less the days they were active since Monday,
:mod:`~kampus_lms.course_home.activity`) equal the days left in the week, today included. Weeks run Monday to
Sunday in the learner's time zone. As Open edX, no reminder goes to a learner who is no longer enrolled or
enrolled this week, in a course that ends by Sunday, to a learner with a downloadable certificate in the
course, on a Monday, or outside 08:00-18:00 of the learner's time zone (hence the hourly run: each time zone
has its hours). Inactive accounts get none.

**At most once a week.** Before sending, a run sets the goal's ``reminder_sent_week`` to the week's Monday
with a compare-and-set and commits; a delivery that fails sets it back, so that a later run of the same day
tries again. A worker that dies between the claim and the send loses that week's reminder: a reminder missed
rather than sent twice. The week date replaces Open edX's Monday run that clears the sent marks.

**Unsubscribing.** Each message links to ``/goal-unsubscribe/<token>`` (the learning MFE's path; a signed
token naming the learner and the course) and carries the one-click ``List-Unsubscribe`` headers; Open edX's
``POST /api/course_home/v1/unsubscribe_from_course_goal/<token>`` takes the same token.

Events (Open edX's names): ``edx.course.goal.email.session_started`` and ``...session_completed`` (counts) for
each run, ``edx.course.goal.email.failed`` for a delivery that failed.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import sqlalchemy as sa
from flask import render_template
from flask_babel import gettext as _

from kampus import db
from kampus.current import current_kampus
from kampus.db import utcnow
from kampus.drivers.mailer import MailError, add_one_click_unsubscribe, build_message
from kampus.events.emit import emit
from kampus.identity.links import learner_course_token, read_learner_course_token
from kampus.identity.models import User
from kampus.rendering.dates import as_user, user_timezones
from kampus.urls import absolute_url
from kampus_lms.catalog.models import CourseOverviewRow
from kampus_lms.certificates.models import GeneratedCertificate
from kampus_lms.course_home.activity import activity_days_since
from kampus_lms.course_home.models import CourseGoal
from kampus_lms.enrollment.models import CourseEnrollment

log = logging.getLogger(__name__)

REMINDER_TASK = "lms.goal_reminders"
#: Every hour, a few minutes past (UTC).
DEFAULT_CRONTAB = "7 * * * *"
#: Reminders go out from this hour of the learner's day, and before :data:`LAST_HOUR`.
FIRST_HOUR, LAST_HOUR = 8, 18
SUNDAY = 6
#: Candidates whose time zones and days of activity are read together.
CHUNK = 500
_SALT = "kampus-lms-goal-unsubscribe"


@dataclass(frozen=True)
class _Candidate:
    goal_id: int
    user_id: int
    username: str
    email: str
    course_id: str
    course_name: str
    days_per_week: int
    reminder_sent_week: date | None
    enrolled: datetime
    course_end: datetime | None


def days_short(days_per_week: int, active: int, today: date) -> bool:
    """Whether today is the last day the learner can still reach the goal: the days still needed this week
    equal the days left in it, today included (Sunday leaves one)."""
    return days_per_week - active == SUNDAY - today.weekday() + 1


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _candidates(now: datetime) -> list[_Candidate]:
    """Goals that may be due: days set, reminders asked for, enrolled, active account, no downloadable
    certificate, and no reminder sent in a week that may still be the learner's current one."""
    # the latest Monday any learner can be in now is the Monday of tomorrow (UTC); a goal marked with it is done
    latest_monday = _monday((now + timedelta(days=1)).date())
    downloadable = sa.exists().where(GeneratedCertificate.user_id == CourseGoal.user_id,
                                     GeneratedCertificate.course_id == CourseGoal.course_id,
                                     GeneratedCertificate.status == "downloadable")
    statement = (
        sa.select(CourseGoal.id, CourseGoal.user_id, User.username, User.email, CourseGoal.course_id,
                  CourseOverviewRow.display_name, CourseGoal.days_per_week, CourseGoal.reminder_sent_week,
                  CourseEnrollment.created, CourseOverviewRow.end)
        .join(User, User.id == CourseGoal.user_id)
        .join(CourseEnrollment, sa.and_(CourseEnrollment.user_id == CourseGoal.user_id,
                                        CourseEnrollment.course_id == CourseGoal.course_id))
        .join(CourseOverviewRow, CourseOverviewRow.course_id == CourseGoal.course_id)
        .where(CourseGoal.days_per_week > 0, CourseGoal.subscribed_to_reminders.is_(True),
               CourseEnrollment.is_active.is_(True), User.is_active.is_(True), User.email != "",
               sa.or_(CourseGoal.reminder_sent_week.is_(None), CourseGoal.reminder_sent_week < latest_monday),
               ~downloadable)
        .order_by(CourseGoal.user_id, CourseGoal.id))
    return [_Candidate(*row) for row in db.session().execute(statement)]


def _local(value: datetime, zone: Any) -> datetime:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(zone)


def _why_not(candidate: _Candidate, local_now: datetime, active: int) -> str | None:
    """Why the goal gets no reminder now (``active``: the learner's days of activity this week), or ``None``
    when it does."""
    today = local_now.date()
    monday, sunday = _monday(today), _monday(today) + timedelta(days=SUNDAY)
    if candidate.reminder_sent_week == monday:
        return "already sent"
    if today.weekday() == 0:
        return "monday"  # as Open edX's command, which sends none on Mondays (the day it clears the marks)
    if not FIRST_HOUR <= local_now.hour < LAST_HOUR:
        return "user time zone"
    if _local(candidate.enrolled, local_now.tzinfo).date() >= monday:
        return "enrolled this week"
    if candidate.course_end is not None and _local(candidate.course_end, local_now.tzinfo).date() <= sunday:
        return "course ends this week"
    if not days_short(candidate.days_per_week, active, today):
        return "not behind"
    return None


def _claim(goal_id: int, week: date) -> bool:
    """Mark the goal's reminder of ``week`` as sent (compare-and-set) and commit; ``False`` when another run
    did it first."""
    session = db.session()
    claimed = session.execute(
        sa.update(CourseGoal)
        .where(CourseGoal.id == goal_id,
               sa.or_(CourseGoal.reminder_sent_week.is_(None), CourseGoal.reminder_sent_week != week))
        .values(reminder_sent_week=week).execution_options(synchronize_session=False)).rowcount
    session.commit()
    return bool(claimed)


def _release(goal_id: int, week: date, before: date | None) -> None:
    """Undo a claim whose message did not go out, so that a later run sends it."""
    session = db.session()
    session.execute(sa.update(CourseGoal).where(CourseGoal.id == goal_id, CourseGoal.reminder_sent_week == week)
                    .values(reminder_sent_week=before).execution_options(synchronize_session=False))
    session.commit()


def send_goal_reminders(now: datetime | None = None) -> dict[str, int]:
    """Send the goal reminders due at ``now`` (default: now); returns the counts ``goals`` (candidates
    looked at), ``sent``, ``filtered`` and ``failed``. Safe to run again: a goal gets one reminder a week.
    Candidates are read :data:`CHUNK` at a time with their time zones and days of activity (two queries)."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    session_id = str(uuid.uuid4())
    candidates = _candidates(now)
    db.session().rollback()  # end the read transaction: each claim below is its own
    emit("edx.course.goal.email.session_started",
         {"uuid": session_id, "timestamp": now.isoformat(), "goal_count": len(candidates)})
    counts = {"goals": len(candidates), "sent": 0, "filtered": 0, "failed": 0}
    # every learner's Monday is on or after this day (a local date is at most a day behind UTC's)
    earliest_monday = now.date() - timedelta(days=7)
    for start in range(0, len(candidates), CHUNK):
        chunk = candidates[start:start + CHUNK]
        zones = user_timezones({candidate.user_id for candidate in chunk})
        activity = activity_days_since({(c.user_id, c.course_id) for c in chunk}, earliest_monday)
        db.session().rollback()
        for candidate in chunk:
            local_now = now.astimezone(zones[candidate.user_id])
            week = _monday(local_now.date())
            active = sum(1 for day in activity.get((candidate.user_id, candidate.course_id), ()) if day >= week)
            if _why_not(candidate, local_now, active) is not None or not _claim(candidate.goal_id, week):
                counts["filtered"] += 1
                continue
            if _send(candidate, week, session_id, now):
                counts["sent"] += 1
            else:
                counts["failed"] += 1
    emit("edx.course.goal.email.session_completed",
         {"uuid": session_id, "timestamp": now.isoformat(), "goal_count": len(candidates),
          "emails_sent": counts["sent"], "emails_filtered": counts["filtered"]})
    return counts


def _send(candidate: _Candidate, week: date, session_id: str, now: datetime) -> bool:
    """Build and deliver one claimed reminder; on any failure, release the claim (a later run of the day
    tries again), record the ``failed`` event and go on with the others."""
    try:
        current_kampus().mailer.deliver(reminder_message(candidate))
        return True
    except Exception as exc:  # one learner's failure must not stop the run, nor keep the claim
        db.session().rollback()
        _release(candidate.goal_id, week, candidate.reminder_sent_week)
        reason = "mailer error" if isinstance(exc, MailError | ValueError) else "error"
        if reason == "error":
            log.exception("goal reminder to user %s for %s failed", candidate.user_id, candidate.course_id)
        else:
            log.warning("goal reminder to user %s for %s not sent: %s", candidate.user_id, candidate.course_id,
                        exc)
        emit("edx.course.goal.email.failed", {"uuid": session_id, "timestamp": now.isoformat(),
                                              "reason": reason, "error": str(exc)},
             course_id=candidate.course_id, user_id=candidate.user_id, username=candidate.username)
        return False


# -- the message -------------------------------------------------------------------------------------------------


def reminder_message(candidate: _Candidate) -> EmailMessage:
    """The reminder e-mail of one goal, in the learner's language."""
    with as_user(candidate.user_id):
        course_url = absolute_url(f"/courses/{candidate.course_id}/course/")
        context = {"site_name": current_kampus().settings.site_name, "username": candidate.username,
                   "course_name": candidate.course_name or candidate.course_id,
                   "days_per_week": candidate.days_per_week, "course_url": course_url,
                   "goal_url": course_url + "#lms-goal",
                   "unsubscribe_url": unsubscribe_url(candidate.user_id, candidate.course_id)}
        subject = _("There is still time to reach your goal in %(course)s", course=context["course_name"])
        message = build_message(current_kampus().settings.mail_from, candidate.email, subject,
                                render_template("lms/course_home/goal_reminder.txt", **context),
                                render_template("lms/course_home/goal_reminder.html", **context))
    add_one_click_unsubscribe(message, context["unsubscribe_url"])
    return message


# -- unsubscribe tokens ------------------------------------------------------------------------------------------


def unsubscribe_token(user_id: int, course_id: str) -> str:
    """A signed token that turns off the learner's goal reminders of the course."""
    return learner_course_token(_SALT, user_id, course_id)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """The learner and course a token names, or ``None`` when it is forged or malformed."""
    return read_learner_course_token(_SALT, token)


def unsubscribe_url(user_id: int, course_id: str) -> str:
    """The absolute unsubscribe link of a reminder (also its one-click ``List-Unsubscribe`` URL)."""
    return absolute_url(f"/goal-unsubscribe/{unsubscribe_token(user_id, course_id)}")


def unsubscribe(token: str) -> str | None:
    """Turn off the reminders a token names and commit; the course id, or ``None`` for a bad token or a
    learner without a goal in that course."""
    found = read_unsubscribe_token(token)
    if found is None:
        return None
    user_id, course_id = found
    session = db.session()
    updated = session.execute(
        sa.update(CourseGoal).where(CourseGoal.user_id == user_id, CourseGoal.course_id == course_id)
        .values(subscribed_to_reminders=False, modified=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    session.commit()
    return course_id if updated else None
