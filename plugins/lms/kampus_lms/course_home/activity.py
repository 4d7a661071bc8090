"""The days a learner was active in a course (Open edX's ``course_goals.UserActivity``), which the weekly
goal counts: the course home, a unit page and the progress page record the day (in the learner's time zone)
on which the learner opened them.

A day is written once: the first page of the day inserts its row (an upsert: two processes may race) and
commits; later pages of that day find it in a memo kept per app (the last day recorded per learner and
course) and touch no table. Each web process writes at most once a day per learner and course.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

import sqlalchemy as sa
from pytz import timezone as pytz_timezone

from kampus import db
from kampus.current import current_kampus
from kampus.identity.preferences import TIME_ZONE, is_valid_time_zone, user_preferences
from kampus.rendering.dates import user_timezone
from kampus_lms.course_home.models import UserActivity
from kampus_lms.upsert import upsert

#: Entries of the per-app memo before it is emptied (a memo, not a record: emptying only costs a read).
MEMO_LIMIT = 100_000
_MEMO = "kampus_lms.course_home.activity_recorded"
_COUNT = (sa.select(sa.func.count()).select_from(UserActivity)
          .where(UserActivity.user_id == sa.bindparam("user_id"), UserActivity.course_id == sa.bindparam("course_id"),
                 UserActivity.day >= sa.bindparam("since")))


def _memo() -> dict[tuple[int, str], date]:
    return current_kampus().kept(_MEMO, dict)


def record_activity(user_id: int, course_id: str, *, day: date | None = None) -> bool:
    """Record that the learner was active in the course on ``day`` (default: today in the time zone of the
    request's user, who is the learner) and commit; ``False`` when the day was already recorded."""
    day = day or datetime.now(user_timezone()).date()
    memo = _memo()
    if memo.get((user_id, course_id)) == day:
        return False
    upsert(UserActivity, {"user_id": user_id, "course_id": course_id, "day": day}, {})
    db.session().commit()
    if len(memo) >= MEMO_LIMIT:
        memo.clear()
    memo[(user_id, course_id)] = day
    return True


def active_days(user_id: int, course_id: str, since: date) -> int:
    """On how many days from ``since`` on the learner was active in the course."""
    return int(db.session().scalar(_COUNT, {"user_id": user_id, "course_id": course_id, "since": since}) or 0)


def timezone_of(user_id: int) -> tzinfo:
    """The learner's time zone (their ``time_zone`` preference, else the site's ``default_timezone``), for
    work done outside the learner's requests."""
    zone = user_preferences(int(user_id), [TIME_ZONE]).get(TIME_ZONE)
    if not (zone and is_valid_time_zone(zone)):
        zone = current_kampus().settings.default_timezone
    return pytz_timezone(zone)
