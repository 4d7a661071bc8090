"""Learners' weekly course goals (Open edX's ``lms/djangoapps/course_goals``, the "weekly learning goal"
of the learning MFE's outline): how many days a week a learner means to study a course (the MFE offers
1, 3 and 5: casual, regular, intense) and whether they want reminders by e-mail.

The learner sets it on the course outline (:func:`kampus_lms.course_home.views.set_goal`) or through the
course home API (``save_course_goal``), which shows it on its outline (``course_goals.selected_goal``). The
outline shows how many days the learner was active this week (:mod:`.activity`); a learner who asked for
reminders gets an e-mail on the last day the goal can still be reached (:mod:`.goal_reminders`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from kampus import db
from kampus.db import utcnow
from kampus.rendering.dates import user_timezone
from kampus_lms.course_home.models import CourseGoal, UserActivity
from kampus_lms.upsert import upsert

#: The most days a week a goal can ask for.
MAX_DAYS_PER_WEEK = 7
#: The goals the outline offers (the learning MFE's casual, regular and intense): (days a week, its name).
GOAL_CHOICES = ((1, _l("Casual")), (3, _l("Regular")), (5, _l("Intense")))

_OF_GOAL = (CourseGoal.user_id == sa.bindparam("user_id"), CourseGoal.course_id == sa.bindparam("course_id"))
_GOAL = sa.select(CourseGoal.days_per_week, CourseGoal.subscribed_to_reminders).where(*_OF_GOAL)
#: The goal's days and reminders, and the days active since a date: one statement of three scalar subqueries.
_WEEK = sa.select(
    sa.select(CourseGoal.days_per_week).where(*_OF_GOAL).scalar_subquery(),
    sa.select(CourseGoal.subscribed_to_reminders).where(*_OF_GOAL).scalar_subquery(),
    sa.select(sa.func.count()).select_from(UserActivity).where(
        UserActivity.user_id == sa.bindparam("user_id"), UserActivity.course_id == sa.bindparam("course_id"),
        UserActivity.day >= sa.bindparam("since")).scalar_subquery())


@dataclass(frozen=True)
class Goal:
    """A learner's goal in a course (Open edX's ``selected_goal``)."""

    days_per_week: int
    subscribed_to_reminders: bool


def course_goal(user_id: int, course_id: str) -> Goal | None:
    """The learner's goal in the course, or ``None`` when they set none (one query)."""
    row = db.session().execute(_GOAL, {"user_id": user_id, "course_id": course_id}).first()
    return Goal(int(row.days_per_week), bool(row.subscribed_to_reminders)) if row is not None else None


def save_course_goal(user_id: int, course_id: str, subscribed_to_reminders: bool,
                     days_per_week: int | None = None) -> None:
    """Set the learner's goal in the course and commit (Open edX's ``add_course_goal``: a goal without
    ``days_per_week``, or with 0, keeps the days of the goal it replaces; a new one starts at 0).
    ``days_per_week`` must be within 0..:data:`MAX_DAYS_PER_WEEK` (:class:`ValueError` otherwise)."""
    if days_per_week is not None and not 0 <= days_per_week <= MAX_DAYS_PER_WEEK:
        raise ValueError(f"days_per_week must be between 0 and {MAX_DAYS_PER_WEEK}")
    session = db.session()
    now = utcnow()
    changes: dict[str, object] = {"subscribed_to_reminders": bool(subscribed_to_reminders), "modified": now}
    if days_per_week:
        changes["days_per_week"] = days_per_week
    upsert(CourseGoal, {"user_id": user_id, "course_id": course_id}, changes,
           new={"created": now, "days_per_week": 0})
    session.commit()


def turn_goal_off(user_id: int, course_id: str) -> None:
    """Set the learner's goal in the course to no days and no reminders (the outline's "Turn my goal off";
    ``save_course_goal`` keeps the days when given none) and commit."""
    upsert(CourseGoal, {"user_id": user_id, "course_id": course_id},
           {"days_per_week": 0, "subscribed_to_reminders": False, "modified": utcnow()}, new={"created": utcnow()})
    db.session().commit()


@dataclass(frozen=True)
class WeeklyGoal:
    """A learner's goal with this week's count, for the outline."""

    days_per_week: int
    subscribed_to_reminders: bool
    active_days: int  #: days active since Monday (the learner's time zone), today included
    week_start: date

    @property
    def reached(self) -> bool:
        return bool(self.days_per_week) and self.active_days >= self.days_per_week


def weekly_goal(user_id: int, course_id: str, *, today: date | None = None) -> WeeklyGoal:
    """The learner's goal in the course (days 0 when none is set) and the days they were active this week,
    counted from Monday of ``today`` (default: today in the request user's time zone); one query."""
    today = today or datetime.now(user_timezone()).date()
    monday = today - timedelta(days=today.weekday())
    days, subscribed, active = db.session().execute(
        _WEEK, {"user_id": user_id, "course_id": course_id, "since": monday}).one()
    return WeeklyGoal(int(days or 0), bool(subscribed), int(active or 0), monday)
