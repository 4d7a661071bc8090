"""User preferences (Open edX's ``UserPreference``): one ``(user, key) -> value`` row each.

Kampus keeps Open edX's keys: :data:`TIME_ZONE` (``time_zone``, an IANA name from
``pytz.common_timezones``, as Open edX validates it) and :data:`LANGUAGE`
(``pref-lang``, a locale the site has translations for). Pages read them through
Flask-Babel's selectors (:mod:`kampus.rendering.dates`): dates in the user's time
zone, strings in the user's language, the site's ``default_timezone`` and
``default_locale`` when the user chose nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import pytz
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from kampus import db
from kampus.db import Base, UTCDateTime, utcnow

#: Open edX's preference key of the user's time zone.
TIME_ZONE = "time_zone"
#: Open edX's preference key of the user's language.
LANGUAGE = "pref-lang"
#: The time zones a user may choose (Open edX's ``TIME_ZONE_CHOICES`` come from the same list).
TIME_ZONES: tuple[str, ...] = tuple(pytz.common_timezones)
_TIME_ZONE_SET = frozenset(TIME_ZONES)
#: Longest preference key and value.
MAX_KEY_LENGTH = 255
MAX_VALUE_LENGTH = 2048


class UserPreference(Base):
    """One preference of one user (Open edX's ``user_api.UserPreference``)."""

    __tablename__ = "kampus_user_preference"
    __table_args__ = (sa.UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("kampus_user.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(sa.String(MAX_KEY_LENGTH))
    value: Mapped[str] = mapped_column(sa.Text(), default="")
    modified: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class InvalidPreference(ValueError):
    """A preference value that is not allowed (an unknown time zone, a language without translations)."""


def is_valid_time_zone(name: str) -> bool:
    """Whether ``name`` is a time zone a user may choose."""
    return name in _TIME_ZONE_SET


#: The statements of :func:`user_preferences`, built once (every page reads the locale and time zone).
_PREFERENCES = sa.select(UserPreference.key, UserPreference.value).where(
    UserPreference.user_id == sa.bindparam("user_id")
)
_PREFERENCES_OF_KEYS = _PREFERENCES.where(UserPreference.key.in_(sa.bindparam("keys", expanding=True)))


def user_preferences(user_id: int, keys: Iterable[str] | None = None, *,
                     db_session: Session | None = None) -> dict[str, str]:
    """The user's preferences (only ``keys`` when given), in one query."""
    session = db_session or db.session()
    if keys is None:
        return dict(session.execute(_PREFERENCES, {"user_id": user_id}).all())  # type: ignore[arg-type]
    return dict(session.execute(_PREFERENCES_OF_KEYS, {"user_id": user_id, "keys": list(keys)}).all())  # type: ignore[arg-type]


def preference_of_users(user_ids: Iterable[int], key: str, *,
                        db_session: Session | None = None) -> dict[int, str]:
    """One preference of many users, ``{user id: value}`` of those who set it (one query per 1,000 users)."""
    session = db_session or db.session()
    ids = sorted({int(user_id) for user_id in user_ids})
    found: dict[int, str] = {}
    for start in range(0, len(ids), 1000):
        found.update(session.execute(sa.select(UserPreference.user_id, UserPreference.value).where(
            UserPreference.key == key, UserPreference.user_id.in_(ids[start:start + 1000]))).all())  # type: ignore[arg-type]
    return found


def get_preference(user_id: int, key: str, default: str | None = None, *,
                   db_session: Session | None = None) -> str | None:
    """One preference of the user, or ``default`` when unset."""
    return user_preferences(user_id, [key], db_session=db_session).get(key, default)


def set_preference(user_id: int, key: str, value: str | None, *, db_session: Session | None = None) -> None:
    """Set (or, with ``None`` or ``""``, delete) one preference, in the caller's transaction.

    Raises :class:`InvalidPreference` for a time zone outside :data:`TIME_ZONES`, or a key or value too long.
    """
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidPreference(f"a preference key has 1 to {MAX_KEY_LENGTH} characters")
    if value and len(value) > MAX_VALUE_LENGTH:
        raise InvalidPreference(f"a preference value has at most {MAX_VALUE_LENGTH} characters")
    if key == TIME_ZONE and value and not is_valid_time_zone(value):
        raise InvalidPreference(f"{value!r} is not a time zone")
    session = db_session or db.session()
    row = session.scalar(sa.select(UserPreference).where(UserPreference.user_id == user_id,
                                                         UserPreference.key == key))
    if not value:
        if row is not None:
            session.delete(row)
        session.flush()
        return
    if row is None:
        session.add(UserPreference(user_id=user_id, key=key, value=value))
    else:
        row.value = value
    session.flush()
