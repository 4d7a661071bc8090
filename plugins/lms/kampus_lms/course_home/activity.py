"""The days a learner was active in a course (Open edX's ``course_goals.UserActivity``), which the weekly
goal counts: the course home, a unit page and the progress page record the day (in the learner's time zone)
on which the learner opened them.

A day is written once: the first page of the day inserts its row (an insert that ignores the row another
process added meanwhile: no locking read, which on MariaDB would take gap locks two requests deadlock on) and
commits; later pages of that day find it in a memo kept per app (the last day recorded per learner and
course) and touch no table. Each web process writes at most once a day per learner and course.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from kampus import db
from kampus.current import current_kampus
from kampus.rendering.dates import user_timezone
from kampus_lms.course_home.models import UserActivity
from kampus_lms.upsert import upsert

#: Entries of the per-app memo before it is emptied (a memo, not a record: emptying only costs a read).
MEMO_LIMIT = 100_000
_MEMO = "kampus_lms.course_home.activity_recorded"


def _memo() -> dict[tuple[int, str], date]:
    return current_kampus().kept(_MEMO, dict)


def record_activity(user_id: int, course_id: str, *, day: date | None = None) -> bool:
    """Record that the learner was active in the course on ``day`` (default: today in the time zone of the
    request's user, who is the learner) and commit; ``False`` when the day was already recorded."""
    day = day or datetime.now(user_timezone()).date()
    memo = _memo()
    if memo.get((user_id, course_id)) == day:
        return False
    session = db.session()
    values = {"user_id": user_id, "course_id": course_id, "day": day}
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):  # a row another process added meanwhile is no error
        insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
        session.execute(insert(UserActivity).values(**values).on_conflict_do_nothing())
    elif dialect in ("mysql", "mariadb"):
        session.execute(sa.insert(UserActivity).values(**values).prefix_with("IGNORE"))
    else:
        upsert(UserActivity, values, {})
    session.commit()
    if len(memo) >= MEMO_LIMIT:
        memo.clear()
    memo[(user_id, course_id)] = day
    return True


def activity_days_since(pairs: Iterable[tuple[int, str]], since: date) -> dict[tuple[int, str], list[date]]:
    """The days from ``since`` on which each ``(learner, course)`` was active, ``{(user id, course id): days}``
    (those with none left out): one query per 1,000 learners."""
    wanted = set(pairs)
    ids = sorted({user_id for user_id, _course in wanted})
    found: dict[tuple[int, str], list[date]] = {}
    session = db.session()
    for start in range(0, len(ids), 1000):
        rows = session.execute(sa.select(UserActivity.user_id, UserActivity.course_id, UserActivity.day).where(
            UserActivity.user_id.in_(ids[start:start + 1000]), UserActivity.day >= since))
        for user_id, course_id, day in rows:
            if (user_id, course_id) in wanted:
                found.setdefault((user_id, course_id), []).append(day)
    return found
