"""Notification preferences per course (Open edX's ``CourseNotificationPreference`` and its
``/api/notifications/configurations/<course_key_string>`` shape), over the account's preferences.

A course the user changed nothing in follows the account's preferences (:mod:`.preferences`). Once they
change something in a course, that course keeps its own choice per kind (:class:`CourseNotificationPreference`):

* ``enabled`` false: no discussion notification of the course at all, neither in the app nor by e-mail;
* ``web`` false: none in the list nor the bell (still made, hidden, when its e-mail is on);
* ``cadence``: the e-mail cadence in this course (``off`` turns the e-mail off); ``None`` follows the account.

As Open edX's course preferences, the kinds are shown and changed in groups: ``core`` (responses and
comments on my posts, endorsements, posts in threads I follow: Open edX's ``core_notification_types``) and
``content_reported`` (only to those who receive it: the course's moderators). Push notifications do not
exist in Kampus: ``push`` is false and not editable.

What reaches a user is decided when a notification is made (:func:`delivery`: web or not, dropped when
neither web nor e-mail), and when it is mailed (the digest's query joins these rows; an immediate e-mail
asks :func:`delivery` again), so a change holds from then on; notifications already listed stay.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from kampus.db import utcnow
from kampus_forums.notifications import preferences
from kampus_forums.notifications.models import (
    CADENCES,
    COMMENT_ON_MY_RESPONSE,
    CONTENT_REPORTED,
    DAILY,
    ENDORSEMENT,
    FOLLOWED_THREAD_POST,
    IMMEDIATELY,
    KINDS,
    OFF,
    RESPONSE_ON_MY_THREAD,
    WEEKLY,
    CourseNotificationPreference,
)

APP_NAME = "discussion"
CORE = "core"
#: Open edX's grouping of the discussion kinds in a course's preferences.
GROUPS: dict[str, tuple[str, ...]] = {
    CORE: (RESPONSE_ON_MY_THREAD, COMMENT_ON_MY_RESPONSE, ENDORSEMENT, FOLLOWED_THREAD_POST),
    CONTENT_REPORTED: (CONTENT_REPORTED,),
}
#: Open edX's type names of the kinds of the ``core`` group.
CORE_NOTIFICATION_TYPES = ["new_response", "new_comment_on_response", "response_endorsed",
                           "response_on_followed_post", "comment_on_followed_post"]
GROUP_INFO = {
    CORE: _l("Notifications for responses and comments on your posts, and the ones you're following, "
             "including endorsements to your responses and on your posts."),
    CONTENT_REPORTED: _l("Posts reported in the course's discussions (moderators)."),
}
#: Open edX's ``EmailCadence`` values, both ways.
OPENEDX_CADENCES = {DAILY: "Daily", WEEKLY: "Weekly", IMMEDIATELY: "Immediately", OFF: "Never"}
FROM_OPENEDX_CADENCE = {"daily": DAILY, "weekly": WEEKLY, "immediately": IMMEDIATELY, "never": OFF, "off": OFF}
CHANNELS = ("web", "email", "push", "email_cadence")
NOT_EDITABLE = ("push",)


@dataclass(frozen=True)
class Choice:
    """What a user chose for one kind in one course."""

    enabled: bool
    web: bool
    cadence: str | None


def choices_of(session: Session, user_id: int, course_id: str) -> dict[str, Choice]:
    """The user's rows in the course, by kind (empty: the course follows the account)."""
    rows = session.execute(sa.select(CourseNotificationPreference.kind, CourseNotificationPreference.enabled,
                                     CourseNotificationPreference.web, CourseNotificationPreference.cadence)
                           .where(CourseNotificationPreference.user_id == int(user_id),
                                  CourseNotificationPreference.course_id == str(course_id)))
    return {kind: Choice(bool(enabled), bool(web), cadence) for kind, enabled, web, cadence in rows}


def delivery(session: Session, course_id: str, kind: str, user_ids: Iterable[int]) -> dict[int, tuple[bool, str]]:
    """``{user id: (web, e-mail cadence)}`` of ``kind`` in the course for each user (two queries)."""
    account = preferences.cadences_for(session, user_ids, kind)
    ids = sorted(account)
    found: dict[int, Choice] = {}
    for start in range(0, len(ids), 500):
        for user_id, enabled, web, cadence in session.execute(
                sa.select(CourseNotificationPreference.user_id, CourseNotificationPreference.enabled,
                          CourseNotificationPreference.web, CourseNotificationPreference.cadence)
                .where(CourseNotificationPreference.course_id == str(course_id),
                       CourseNotificationPreference.kind == kind,
                       CourseNotificationPreference.user_id.in_(ids[start:start + 500]))):
            found[user_id] = Choice(bool(enabled), bool(web), cadence)
    answer: dict[int, tuple[bool, str]] = {}
    for user_id in ids:
        choice = found.get(user_id)
        if choice is None:
            answer[user_id] = (True, account[user_id])
        elif not choice.enabled:
            answer[user_id] = (False, OFF)
        else:
            answer[user_id] = (choice.web, choice.cadence if choice.cadence is not None else account[user_id])
    return answer


def effective_cadence(course_row: Any, account_cadence: Any, kind_column: Any) -> Any:
    """SQL: the e-mail cadence of a notification for queries that left-join this table (``course_row``, on
    user, course and kind) and the account's preferences (``account_cadence``, its cadence column)."""
    return sa.case((course_row.enabled == sa.false(), OFF),
                   else_=sa.func.coalesce(course_row.cadence,
                                          preferences.effective_cadence(account_cadence, kind_column)))


def _rows(session: Session, user_id: int, course_id: str) -> dict[str, CourseNotificationPreference]:
    mine = sa.and_(CourseNotificationPreference.user_id == int(user_id),
                   CourseNotificationPreference.course_id == str(course_id))
    return {row.kind: row for row in session.scalars(sa.select(CourseNotificationPreference).where(mine))}


def write(session: Session, user_id: int, course_id: str, kinds: Iterable[str], *, enabled: bool | None = None,
          web: bool | None = None, cadence: str | None = None) -> None:
    """Change the user's choices in the course (in ``session``; the caller commits): ``enabled`` for the
    whole course, ``web`` and ``cadence`` for ``kinds``. The course's rows are made first (every kind,
    following the account) when it has none; a concurrent first write is taken over."""
    if cadence is not None and cadence not in CADENCES:
        raise ValueError(f"{cadence} is not a valid email cadence.")
    now = utcnow()
    have = _rows(session, user_id, course_id)
    missing = [kind for kind in KINDS if kind not in have]
    if missing:
        current = next(iter(have.values())).enabled if have else True
        try:
            with session.begin_nested():
                rows = [CourseNotificationPreference(user_id=int(user_id), course_id=str(course_id), kind=kind,
                                                     enabled=current, web=True, cadence=None, updated_at=now)
                        for kind in missing]
                session.add_all(rows)
            have.update((row.kind, row) for row in rows)
        except sa.exc.IntegrityError:  # another request made them first
            have = _rows(session, user_id, course_id)
    wanted = set(kinds)
    for kind, row in have.items():
        if enabled is not None:
            row.enabled = enabled
        if kind in wanted and web is not None:
            row.web = web
        if kind in wanted and cadence is not None:
            row.cadence = cadence
        row.updated_at = now


def turn_email_off(session: Session, user_id: int, kinds: Iterable[str]) -> None:
    """E-mail of ``kinds`` off everywhere (an unsubscribe link): the account's, and every course that chose
    its own cadence for them (in ``session``)."""
    kinds = list(kinds)
    preferences.set_cadences(session, user_id, dict.fromkeys(kinds, OFF))
    session.execute(sa.update(CourseNotificationPreference).where(
        CourseNotificationPreference.user_id == int(user_id), CourseNotificationPreference.kind.in_(kinds),
        CourseNotificationPreference.cadence.is_not(None)).values(cadence=OFF, updated_at=utcnow())
        .execution_options(synchronize_session=False))


# -- Open edX's shape --------------------------------------------------------------------------------------------


def visible_groups(receives_reports: bool) -> list[str]:
    """The groups a user sees (``content_reported`` only for those who receive it)."""
    return [group for group in GROUPS if group != CONTENT_REPORTED or receives_reports]


def group_state(session: Session, user_id: int, course_id: str, receives_reports: bool) -> dict[str, Any]:
    """``{"enabled", "groups": {group: {"web", "cadence", "shown_cadence"}}}``: what the user gets in the
    course, per group (a group's kinds are written together; the account's cadence fills what the course
    does not choose)."""
    account = preferences.preferences_of(session, user_id)
    rows = choices_of(session, user_id, course_id)
    state: dict[str, Any] = {"enabled": all(row.enabled for row in rows.values()) if rows else True, "groups": {}}
    for group in visible_groups(receives_reports):
        kinds = GROUPS[group]
        row = rows.get(kinds[0])
        on = [account[kind] for kind in kinds if account[kind] != OFF]
        cadence = row.cadence if row is not None and row.cadence is not None else (on[0] if on else OFF)
        shown = cadence if cadence != OFF else (on[0] if on else preferences.DEFAULT_CADENCES[kinds[0]])
        state["groups"][group] = {"web": row.web if row is not None else True, "cadence": cadence,
                                  "shown_cadence": shown}
    return state


def configuration(session: Session, user_id: int, course_id: str, course_name: str,
                  receives_reports: bool) -> dict[str, Any]:
    """Open edX's ``UserCourseNotificationPreferenceSerializer`` answer for the user's course. ``id`` is a
    stable number derived from the user and course (Kampus keeps a row per kind)."""
    state = group_state(session, user_id, course_id, receives_reports)
    types = {group: {"web": values["web"], "email": values["cadence"] != OFF, "push": False,
                     "email_cadence": OPENEDX_CADENCES[values["shown_cadence"]], "info": str(GROUP_INFO[group])}
             for group, values in state["groups"].items()}
    return {"id": zlib.crc32(f"{int(user_id)}:{course_id}".encode()), "course_name": course_name,
            "course_id": str(course_id),
            "notification_preference_config": {APP_NAME: {
                "enabled": state["enabled"], "core_notification_types": list(CORE_NOTIFICATION_TYPES),
                "notification_types": types, "non_editable": {group: list(NOT_EDITABLE) for group in types}}}}


class UpdateInvalid(ValueError):
    """A PATCH that cannot apply (Open edX's serializer ``ValidationError``: a 400)."""


def apply_update(session: Session, user_id: int, course_id: str, body: dict[str, Any],
                 receives_reports: bool) -> None:
    """Open edX's ``UserNotificationPreferenceUpdateSerializer`` on the user's course (in ``session``):
    ``{"notification_app", "value"}`` turns the app on or off; with ``notification_type`` and
    ``notification_channel`` (``web``, ``email`` or ``email_cadence``) one group's channel; with a channel and
    no type, that channel of every group; ``email_cadence`` (with a type) sets its cadence (``Never``: off).
    Raises :class:`UpdateInvalid`."""
    app = body.get("notification_app")
    group = body.get("notification_type")
    channel = body.get("notification_channel")
    value = body.get("value")
    raw_cadence = body.get("email_cadence")
    if channel == "email_cadence" and raw_cadence in (None, ""):
        raw_cadence = value
    if raw_cadence not in (None, ""):
        if not group:
            raise UpdateInvalid("notification_type is required for email_cadence.")
        if FROM_OPENEDX_CADENCE.get(str(raw_cadence).lower()) is None:
            raise UpdateInvalid(f"{raw_cadence} is not a valid email cadence.")
    elif group and not channel:
        raise UpdateInvalid("notification_channel is required for notification_type.")
    if app != APP_NAME:
        raise UpdateInvalid(f"{app} is not a valid notification app.")
    groups = visible_groups(receives_reports)
    if group and group not in groups:
        raise UpdateInvalid(f"{group} is not a valid notification type.")
    if channel and channel not in CHANNELS:
        raise UpdateInvalid(f"{channel} is not a valid notification channel setting.")
    if channel in NOT_EDITABLE:
        raise UpdateInvalid(f"{channel} is not editable for notification type {group or 'any'}.")
    if raw_cadence not in (None, ""):
        write(session, user_id, course_id, GROUPS[group], cadence=FROM_OPENEDX_CADENCE[str(raw_cadence).lower()])
        return
    if not isinstance(value, bool):
        raise UpdateInvalid("value must be true or false.")
    kinds = [kind for name in ([group] if group else groups) for kind in GROUPS[name]]
    if channel == "web":
        write(session, user_id, course_id, kinds, web=value)
    elif channel == "email":
        write(session, user_id, course_id, kinds, cadence=_email_on(session, user_id, course_id, kinds) if value
              else OFF)
    else:
        write(session, user_id, course_id, kinds, enabled=value)


def _email_on(session: Session, user_id: int, course_id: str, kinds: list[str]) -> str:
    """The cadence e-mail turned on takes: the account's cadence of the first kind when on, else its default."""
    account = preferences.preferences_of(session, user_id)
    on = [account[kind] for kind in kinds if account[kind] != OFF]
    return on[0] if on else preferences.DEFAULT_CADENCES[kinds[0]]
