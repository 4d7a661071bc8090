"""E-mail preferences per kind of notification, and the signed one-click unsubscribe links.

Each user has, per kind, a cadence: ``off``, ``immediately``, ``daily`` (digest) or ``weekly`` (digest).
No row means the kind's default (:data:`DEFAULT_CADENCES`):

* a response on my thread, a comment on my response, an endorsement of my response and a new post in a
  thread I follow: ``daily`` (Open edX's default e-mail cadence of its discussion notifications);
* reported content (moderators only): ``immediately``, so that a moderator can act while it matters.

In-app notifications are always made (the bell); the preference only says how they are mailed.

An unsubscribe link carries a token signed with the site's secret key (``itsdangerous``, as the course
e-mail's links): ``[user id, kinds]`` where kinds is a list of kinds or ``"all"``. It never expires, so
the link of an old e-mail keeps working; it can only turn e-mail *off*.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from kampus.db import utcnow
from kampus.identity.links import lasting_signer, read_lasting_token
from kampus.urls import absolute_url
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
    NotificationPreference,
)

#: The cadence of a kind for a user who never chose one.
DEFAULT_CADENCES: dict[str, str] = {
    RESPONSE_ON_MY_THREAD: DAILY,
    COMMENT_ON_MY_RESPONSE: DAILY,
    ENDORSEMENT: DAILY,
    FOLLOWED_THREAD_POST: DAILY,
    CONTENT_REPORTED: IMMEDIATELY,
}

KIND_LABELS = {
    RESPONSE_ON_MY_THREAD: _l("Responses to my posts"),
    COMMENT_ON_MY_RESPONSE: _l("Comments on my responses"),
    ENDORSEMENT: _l("Endorsements of my responses"),
    FOLLOWED_THREAD_POST: _l("New posts in threads I follow"),
    CONTENT_REPORTED: _l("Reported content (moderators)"),
}

CADENCE_LABELS = {
    OFF: _l("Off"),
    IMMEDIATELY: _l("Immediately"),
    DAILY: _l("Daily digest"),
    WEEKLY: _l("Weekly digest"),
}

#: A token naming every kind.
ALL = "all"
_SALT = "kampus-forums-notifications-unsubscribe"


def effective_cadence(preference_column: Any, kind_column: Any) -> Any:
    """SQL: the preference's cadence, else the default of the row's kind (for queries that left-join
    :class:`NotificationPreference` on user and kind)."""
    default = sa.case(*((kind_column == kind, cadence) for kind, cadence in DEFAULT_CADENCES.items()),
                      else_=OFF)
    return sa.func.coalesce(preference_column, default)


def preferences_of(session: Session, user_id: int) -> dict[str, str]:
    """Every kind's cadence for the user (the defaults filled in), in :data:`KINDS` order."""
    chosen = dict(session.execute(sa.select(NotificationPreference.kind, NotificationPreference.cadence)
                                  .where(NotificationPreference.user_id == int(user_id))).all())
    return {kind: chosen.get(kind, DEFAULT_CADENCES[kind]) for kind in KINDS}


def cadences_for(session: Session, user_ids: Iterable[int], kind: str) -> dict[int, str]:
    """The cadence of ``kind`` for each of ``user_ids`` (one query)."""
    ids = sorted({int(user_id) for user_id in user_ids})
    found: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        found.update(session.execute(sa.select(NotificationPreference.user_id, NotificationPreference.cadence)
                                     .where(NotificationPreference.kind == kind,
                                            NotificationPreference.user_id.in_(chunk))).all())
    return {user_id: found.get(user_id, DEFAULT_CADENCES[kind]) for user_id in ids}


class PreferenceError(ValueError):
    """An unknown kind or cadence (a 400)."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.message, self.field = message, field


def check_changes(changes: dict[str, Any]) -> dict[str, str]:
    """``{kind: cadence}`` checked; :class:`PreferenceError` names the first bad entry."""
    checked: dict[str, str] = {}
    for kind, cadence in changes.items():
        if kind not in KINDS:
            raise PreferenceError(f"{kind} is not a valid notification type.", "notification_type")
        if cadence not in CADENCES:
            raise PreferenceError(f"{cadence} is not a valid email cadence.", "email_cadence")
        checked[kind] = cadence
    return checked


def set_cadences(session: Session, user_id: int, changes: dict[str, str]) -> None:
    """Record the user's cadence of each kind in ``changes`` (checked with :func:`check_changes`) in
    ``session`` (the caller commits). A concurrent first choice of the same kind is taken over."""
    changes = check_changes(changes)
    if not changes:
        return
    now = utcnow()
    rows = {row.kind: row for row in session.scalars(sa.select(NotificationPreference).where(
        NotificationPreference.user_id == int(user_id), NotificationPreference.kind.in_(list(changes))))}
    for kind, cadence in changes.items():
        row = rows.get(kind)
        if row is not None:
            row.cadence, row.updated_at = cadence, now
            continue
        try:
            with session.begin_nested():
                session.add(NotificationPreference(user_id=int(user_id), kind=kind, cadence=cadence, updated_at=now))
        except sa.exc.IntegrityError:  # another request chose first: ours is the later choice
            session.execute(sa.update(NotificationPreference).where(
                NotificationPreference.user_id == int(user_id), NotificationPreference.kind == kind)
                .values(cadence=cadence, updated_at=now).execution_options(synchronize_session=False))


# -- unsubscribe links -------------------------------------------------------------------------------------------


def unsubscribe_token(user_id: int, kinds: Iterable[str] | str = ALL) -> str:
    """A signed token that turns off the e-mail of ``kinds`` (or :data:`ALL`) for the user."""
    named: str | list[str] = ALL if kinds == ALL else sorted({str(kind) for kind in kinds})
    return lasting_signer(_SALT).dumps([int(user_id), named])


def read_unsubscribe_token(token: str) -> tuple[int, list[str]] | None:
    """The user id and kinds a token names, or ``None`` when it is forged or malformed."""
    value = read_lasting_token(_SALT, token)
    if not isinstance(value, list) or len(value) != 2 or not isinstance(value[0], int):
        return None
    kinds = value[1]
    if kinds == ALL:
        return value[0], list(KINDS)
    if not isinstance(kinds, list) or not kinds or any(kind not in KINDS for kind in kinds):
        return None
    return value[0], [kind for kind in KINDS if kind in kinds]


def unsubscribe_url(user_id: int, kinds: Iterable[str] | str = ALL) -> str:
    """The absolute one-click unsubscribe URL (see :func:`unsubscribe_token`)."""
    return absolute_url(f"/notifications/unsubscribe/{unsubscribe_token(user_id, kinds)}")


__all__ = ["ALL", "CADENCE_LABELS", "DEFAULT_CADENCES", "KIND_LABELS", "PreferenceError", "cadences_for",
           "check_changes", "effective_cadence", "preferences_of", "read_unsubscribe_token", "set_cadences",
           "unsubscribe_token", "unsubscribe_url"]
