"""Learners' weekly course goals (Open edX's ``lms/djangoapps/course_goals``, the "weekly learning goal"
of the learning MFE's outline): how many days a week a learner means to study a course (the MFE offers
1, 3 and 5: casual, regular, intense) and whether they want reminders by e-mail.

Kampus keeps the goal and shows it on the course home API's outline (``course_goals.selected_goal``);
it sends no reminder e-mails yet (Open edX's ``goal_reminder_email`` command), so
``subscribed_to_reminders`` is only remembered.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from kampus import db
from kampus.db import utcnow
from kampus_lms.course_home.models import CourseGoal
from kampus_lms.upsert import upsert

#: The most days a week a goal can ask for.
MAX_DAYS_PER_WEEK = 7

_GOAL = sa.select(CourseGoal.days_per_week, CourseGoal.subscribed_to_reminders).where(
    CourseGoal.user_id == sa.bindparam("user_id"), CourseGoal.course_id == sa.bindparam("course_id"))


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
