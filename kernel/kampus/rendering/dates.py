"""Dates shown to the user: in the user's time zone and locale, wrapped in ``<time>``.

Every area shows dates through this module (one place for the rule)::

    from kampus.rendering.dates import format_user_datetime
    format_user_datetime(due)                 # "Jan 5, 2027, 1:00:00 PM" in the user's zone
    format_user_datetime(due, "short")        # Babel's short format
    format_user_datetime(due, date_only=True) # "Jan 5, 2027"

and in templates::

    {{ due|user_datetime }}    {{ due|user_datetime("short") }}    {{ start|user_date }}
    {{ due|time_tag }}         <time datetime="2027-01-05T13:00:00+00:00">Jan 5, 2027, 1:00:00 PM</time>
    {{ start|time_tag("long", date_only=True) }}

The user's time zone is their ``time_zone`` preference (Open edX's key, see
:mod:`kampus.identity.preferences`), else the site's ``default_timezone``; the
locale is their ``pref-lang`` preference, else the site's ``default_locale``.
Both are read once per request (one query, only for a logged-in user) by
Flask-Babel's selectors, installed by :func:`install`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, tzinfo
from typing import Any, TypeVar

import pytz
from flask import Flask, g, has_request_context
from flask_babel import force_locale, format_date, format_datetime, get_babel, get_locale, get_timezone
from flask_login import current_user
from markupsafe import Markup, escape

from kampus.current import current_kampus
from kampus.identity.preferences import LANGUAGE, TIME_ZONE, is_valid_time_zone, preference_of_users, user_preferences

_PREFS = "_kampus_user_prefs"
T = TypeVar("T")


def _request_preferences() -> dict[str, str]:
    """The current user's time zone and language preferences, read once per request."""
    if not has_request_context():
        return {}
    cached = g.get(_PREFS)
    if cached is None:
        cached = {}
        user = current_user
        if user is not None and getattr(user, "is_authenticated", False) and getattr(user, "id", None):
            cached = user_preferences(user.id, [TIME_ZONE, LANGUAGE])
        setattr(g, _PREFS, cached)
    return cached


def forget_request_preferences() -> None:
    """Read the preferences again on the next use in this request (after the user changed them)."""
    if has_request_context():
        g.pop(_PREFS, None)
        babel_cache = g.get("_flask_babel")
        if babel_cache is not None:  # Flask-Babel keeps the chosen zone and locale for the request
            for name in ("babel_locale", "babel_tzinfo"):
                if hasattr(babel_cache, name):
                    delattr(babel_cache, name)


def select_timezone() -> str | None:
    """Flask-Babel's timezone selector: the user's ``time_zone`` preference, else ``None`` (the site's)."""
    zone = _request_preferences().get(TIME_ZONE)
    return zone if zone and is_valid_time_zone(zone) else None


def available_locales() -> frozenset[str]:
    """The locales the site has translations for (its default locale included), kept per app."""
    return current_kampus().kept("kampus.rendering.locales", lambda: frozenset(
        {str(locale) for locale in get_babel().instance.list_translations()}
        | {current_kampus().settings.default_locale}))


def select_locale() -> str | None:
    """Flask-Babel's locale selector: the user's ``pref-lang`` preference when the site has that
    language, else ``None`` (the site's ``default_locale``)."""
    language = _request_preferences().get(LANGUAGE)
    return language if language and language in available_locales() else None


def locale_of(user_id: int) -> str:
    """The locale of what is written to the user when they are not the one asking (an e-mail): their
    ``pref-lang`` preference when the site has that language, else the site's ``default_locale``."""
    language = user_preferences(int(user_id), [LANGUAGE]).get(LANGUAGE)
    return language if language and language in available_locales() else current_kampus().settings.default_locale


def locale_for_language(language: str | None) -> str:
    """The site's locale for a language code as a course gives it (``fr``, ``pt-br``, ``pt_BR``): that locale
    when the site has it, else its language alone (``pt``), else the site's ``default_locale``."""
    available = available_locales()
    parts = [part for part in (language or "").strip().replace("-", "_").split("_") if part]
    if parts:
        # Babel's spelling: language lower case, script title case (Hans), region upper case (BR, 419)
        spelled = [parts[0].lower()] + [part.title() if len(part) == 4 else part.upper() for part in parts[1:]]
        candidates = ["_".join(spelled[:length]) for length in range(len(spelled), 0, -1)]
        for candidate in ["_".join(parts), *candidates]:
            if candidate in available:
                return candidate
    return current_kampus().settings.default_locale


@contextmanager
def in_locale(locale: str) -> Iterator[str]:
    """Render in ``locale`` for the block, whatever the request's language (a message written once for many
    readers in one language: a course's e-mail in the course's language), then go back; yields it. Needs an
    app context."""
    saved_translations = g.pop("_kampus_translations", None)  # the request's catalogue (rendering.setup)
    try:
        with force_locale(locale):
            yield locale
    finally:
        g.pop("_kampus_translations", None)
        if saved_translations is not None:
            g._kampus_translations = saved_translations


@contextmanager
def as_user(user_id: int) -> Iterator[str]:
    """Render in the language (:func:`locale_of`) and time zone of user ``user_id`` for the block, whoever
    the request's user is (a mail to another user, a background task), then go back; yields the locale.
    Needs an app context."""
    zone = user_timezones([user_id])[int(user_id)]
    babel_cache = g.get("_flask_babel")
    saved_zone = getattr(babel_cache, "babel_tzinfo", None) if babel_cache is not None else None
    try:
        with in_locale(locale_of(user_id)) as locale:
            cache = g.get("_flask_babel")
            if cache is not None:
                cache.babel_tzinfo = zone
            yield locale
    finally:
        cache = g.get("_flask_babel")
        if cache is not None:
            if saved_zone is None:
                cache.__dict__.pop("babel_tzinfo", None)
            else:
                cache.babel_tzinfo = saved_zone


def user_timezones(user_ids: Iterable[int]) -> dict[int, tzinfo]:
    """Each user's time zone, for work done outside their requests (a mail, a background task): their
    ``time_zone`` preference, else the site's ``default_timezone``; one query per 1,000 users."""
    ids = [int(user_id) for user_id in user_ids]
    chosen = preference_of_users(ids, TIME_ZONE)
    default = pytz.timezone(current_kampus().settings.default_timezone)
    zones: dict[str, tzinfo] = {}
    found: dict[int, tzinfo] = {}
    for user_id in ids:
        name = chosen.get(user_id)
        found[user_id] = (zones.setdefault(name, pytz.timezone(name)) if name and is_valid_time_zone(name)
                          else default)
    return found


def user_timezone() -> tzinfo:
    """The time zone dates are shown in for the current user."""
    return get_timezone() or UTC


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def format_user_datetime(value: datetime | date | None, format: str = "medium", *, date_only: bool = False) -> str:
    """``value`` in the user's time zone and locale (``format``: short, medium, long, full or a Babel
    pattern); only the date with ``date_only``. ``None`` gives ``""``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _aware(value)
    return _kept(("text", value, format, date_only), lambda: _formatted(value, format, date_only))


def _kept(key: tuple[object, ...], make: Callable[[], T]) -> T:
    """``make()``, kept by the app per ``key``, locale and time zone during requests: Babel takes about 50 us
    a date, and a page shows the same few dates many times (a progress page: a due date on each of a hundred
    subsections)."""
    if not has_request_context():
        return make()
    full_key = (*key, str(get_locale()), str(user_timezone()))
    memo: dict[tuple[object, ...], Any] = current_kampus().kept(_FORMATTED, dict)
    found = memo.get(full_key)
    if found is None:
        found = make()
        if len(memo) >= _FORMATTED_KEPT:
            memo.clear()
        memo[full_key] = found
    return found  # type: ignore[no-any-return]


_FORMATTED = "kampus.rendering.formatted_dates"
_FORMATTED_KEPT = 4096


def _formatted(value: datetime | date, format: str, date_only: bool) -> str:
    if isinstance(value, datetime):
        return str(format_date(value, format) if date_only else format_datetime(value, format))
    return str(format_date(value, format))


def iso_datetime(value: datetime | date | None) -> str:
    """The machine-readable form for ``<time datetime=...>`` (UTC for datetimes)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _aware(value).astimezone(UTC).isoformat()
    return value.isoformat()


def time_tag(value: datetime | date | None, format: str = "medium", *, date_only: bool = False) -> Markup:
    """``<time datetime="ISO">formatted in the user's zone</time>`` (empty for ``None``)."""
    if value is None:
        return Markup("")
    return _kept(("time", value, format, date_only), lambda: Markup('<time datetime="{}">{}</time>').format(
        iso_datetime(value), escape(format_user_datetime(value, format, date_only=date_only))))


def install(app: Flask) -> None:
    """Add the filters ``user_datetime``, ``user_date``, ``iso_datetime`` and ``time_tag`` to ``app``."""
    app.jinja_env.filters["user_datetime"] = format_user_datetime
    app.jinja_env.filters["user_date"] = lambda value, format="medium": format_user_datetime(
        value, format, date_only=True)
    app.jinja_env.filters["iso_datetime"] = iso_datetime
    app.jinja_env.filters["time_tag"] = time_tag
