"""The welcome message: the course's newest update, until the learner dismisses it (Open edX's
``openedx/features/course_experience/course_updates.py``).

A dismissal keeps a digest of the update's content in the learner's course tag ``view-welcome-message``
(digests comma-separated, as Open edX keeps them). The newest update shows unless its digest is there: a
new update, or the same one edited, shows again; an older update never comes back as the welcome message
once it was dismissed.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from kampus import db
from kampus_lms.course_home.info import CourseUpdate
from kampus_lms.course_home.models import UserCourseTag
from kampus_lms.upsert import upsert

#: Open edX's course tag of the dismissed welcome messages.
VIEW_WELCOME_MESSAGE_KEY = "view-welcome-message"

_TAG = sa.select(UserCourseTag.value).where(UserCourseTag.user_id == sa.bindparam("user_id"),
                                            UserCourseTag.course_id == sa.bindparam("course_id"),
                                            UserCourseTag.key == VIEW_WELCOME_MESSAGE_KEY)


def _digest(update: CourseUpdate) -> str:
    return hashlib.md5(update.content.encode("utf-8"), usedforsecurity=False).hexdigest()


def _dismissed(user_id: int, course_id: str) -> list[str] | None:
    """The digests the learner dismissed; ``None`` for Open edX's legacy ``False`` (every update dismissed)."""
    value = db.session().scalar(_TAG, {"user_id": user_id, "course_id": course_id}) or ""
    if value == "False":
        return None
    return [part for part in value.split(",") if part]


def welcome_update(user_id: int | None, course_id: str, updates: list[CourseUpdate]) -> CourseUpdate | None:
    """The update to show as the welcome message (``updates`` newest first): the newest, unless the learner
    dismissed it (one query for a learner; a visitor sees the newest)."""
    if not updates:
        return None
    if user_id is None:
        return updates[0]
    dismissed = _dismissed(user_id, course_id)
    return None if dismissed is None or _digest(updates[0]) in dismissed else updates[0]


def dismiss_welcome(user_id: int, course_id: str, updates: list[CourseUpdate]) -> None:
    """Dismiss the newest of ``updates`` for the learner and commit (nothing when the course has none)."""
    if not updates:
        return
    digests = [*(_dismissed(user_id, course_id) or []), _digest(updates[0])]
    value = ",".join(dict.fromkeys(digests))
    upsert(UserCourseTag, {"user_id": user_id, "course_id": course_id, "key": VIEW_WELCOME_MESSAGE_KEY},
           {"value": value})
    db.session().commit()
