"""Signed links sent by e-mail: address confirmation, password reset, and lasting links such as unsubscribe links.

Links are signed with the app's secret (``itsdangerous``), one salt per
purpose, so a link made for one job never works for another. A confirmation
link names the user and a fingerprint of the address it was sent to; a reset
link names the user and a fingerprint of the current session token and
password hash, so it dies once used (setting a password rotates both).

Lasting links do not expire (an old e-mail's unsubscribe link keeps working):
:func:`lasting_signer` signs them, :func:`read_lasting_token` reads one back;
:func:`learner_course_token` / :func:`read_learner_course_token` are those of a
link naming a learner and a course (the bulk e-mail opt-out, goal reminders).
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app, url_for
from flask_babel import gettext as _
from itsdangerous import BadData, BadSignature, URLSafeSerializer, URLSafeTimedSerializer

from kampus import db
from kampus.current import current_kampus
from kampus.identity.models import User
from kampus.urls import absolute_url

CONFIRM_SALT = "kampus.identity.confirm-email"
RESET_SALT = "kampus.identity.password-reset"
CONFIRM_MAX_AGE = 7 * 24 * 3600
RESET_MAX_AGE = 24 * 3600
#: The longest lasting token read (a link's token is far shorter): a longer one is refused unread.
MAX_LASTING_TOKEN = 1000


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=salt)


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:20]


def _load(salt: str, token: str, max_age: int) -> dict[str, Any] | None:
    try:
        data = _serializer(salt).loads(token, max_age=max_age)
    except BadData:
        return None
    return data if isinstance(data, dict) and isinstance(data.get("u"), int) else None


def confirmation_token(user: User) -> str:
    return _serializer(CONFIRM_SALT).dumps({"u": user.id, "e": _fingerprint(user.email.lower())})


def user_from_confirmation_token(token: str) -> User | None:
    """The user a confirmation link was made for, or ``None`` (bad, expired, address changed)."""
    data = _load(CONFIRM_SALT, token, CONFIRM_MAX_AGE)
    if data is None:
        return None
    user = db.session().get(User, data["u"])
    if user is None or data.get("e") != _fingerprint(user.email.lower()):
        return None
    return user


def reset_token(user: User) -> str:
    return _serializer(RESET_SALT).dumps({"u": user.id, "s": _fingerprint(user.session_token, user.password_hash)})


def user_from_reset_token(token: str) -> User | None:
    """The user of a password-reset link, or ``None`` (bad, expired, already used)."""
    data = _load(RESET_SALT, token, RESET_MAX_AGE)
    if data is None:
        return None
    user = db.session().get(User, data["u"])
    if user is None or not user.is_active or data.get("s") != _fingerprint(user.session_token, user.password_hash):
        return None
    return user


def endpoint_link(endpoint: str, **values: Any) -> str:
    """An absolute link to ``endpoint`` on the public site (see :func:`kampus.urls.absolute_url`)."""
    return absolute_url(url_for(endpoint, **values))


def send_confirmation(user: User) -> None:
    """E-mail ``user`` a link that confirms their address."""
    kampus = current_kampus()
    link = endpoint_link("identity.confirm_email", token=confirmation_token(user))
    site = kampus.settings.site_name
    subject = _("Confirm your e-mail address for %(site)s", site=site)
    text = _(
        "Hello %(name)s,\n\nTo activate your %(site)s account, open this link:\n\n%(link)s\n\n"
        "The link works for 7 days. If you did not create an account, ignore this message.\n",
        name=user.display_name, site=site, link=link,
    )
    kampus.mailer.send(user.email, subject, text)


def send_password_reset(user: User) -> None:
    """E-mail ``user`` a link to choose a new password."""
    kampus = current_kampus()
    link = endpoint_link("identity.password_reset_confirm", token=reset_token(user))
    site = kampus.settings.site_name
    subject = _("Reset your %(site)s password", site=site)
    text = _(
        "Hello %(name)s,\n\nSomeone asked to reset the password of your %(site)s account (%(username)s). "
        "To choose a new password, open this link:\n\n%(link)s\n\n"
        "The link works once, for 24 hours. If you did not ask for it, ignore this message: "
        "your password stays as it is.\n",
        name=user.display_name, site=site, username=user.username, link=link,
    )
    kampus.mailer.send(user.email, subject, text)


def lasting_signer(salt: str) -> URLSafeSerializer:
    """The signer of the links of one purpose (``salt``) that do not expire."""
    return URLSafeSerializer(current_app.secret_key or "", salt=salt)


def read_lasting_token(salt: str, token: str) -> Any | None:
    """The value a lasting token of ``salt`` holds, or ``None`` when it is forged, malformed or too long."""
    if not isinstance(token, str) or len(token) > MAX_LASTING_TOKEN:
        return None
    try:
        return lasting_signer(salt).loads(token)
    except BadSignature:
        return None


def learner_course_token(salt: str, user_id: int, course_id: str) -> str:
    """A lasting token of ``salt`` naming a learner and a course."""
    return lasting_signer(salt).dumps([int(user_id), str(course_id)])


def read_learner_course_token(salt: str, token: str) -> tuple[int, str] | None:
    """The ``(user id, course id)`` a :func:`learner_course_token` of ``salt`` names, or ``None``."""
    value = read_lasting_token(salt, token)
    if (not isinstance(value, list) or len(value) != 2 or not isinstance(value[0], int)
            or not isinstance(value[1], str)):
        return None
    return value[0], value[1]
