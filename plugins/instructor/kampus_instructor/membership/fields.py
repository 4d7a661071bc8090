"""The membership area's request fields (text and Open edX's booleans) and looking users up by username or
e-mail (for this area and, through :mod:`.api`, the certificates area); the errors, the permission check and
the request's parameters are the dashboard's (:mod:`kampus_instructor.http`)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from kampus import db
from kampus.identity.models import User
from kampus_instructor.http import ApiError, params


def text_field(name: str, *, required: bool = False, max_length: int = 100_000) -> str:
    """A text field of the request (stripped); :class:`ApiError` 400 when required and missing or too long."""
    value = params().get(name)
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise ApiError(400, _("The field %(name)s is required.", name=name), name)
    if len(text) > max_length or "\x00" in text:
        raise ApiError(400, _("The field %(name)s is too long or holds a NUL character.", name=name), name)
    return text


def bool_field(name: str) -> bool:
    """Open edX's ``_get_boolean_param``: ``true`` (any case), ``1``, ``on`` or a JSON ``true``."""
    value = params().get(name)
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in ("true", "1", "on", "yes")


def find_user(identifier: str) -> User | None:
    """Open edX's ``get_student_from_identifier``: the account with this username or e-mail address."""
    text = identifier.strip()
    if not text or len(text) > 254 or "\x00" in text:
        return None
    column = sa.func.lower(User.email) if "@" in text else User.username
    return db.session().scalar(sa.select(User).where(column == (text.lower() if "@" in text else text)))


def user_info(user: User) -> dict[str, str]:
    """Open edX's ``extract_user_info``."""
    first, _space, last = (user.name or "").partition(" ")
    return {"username": user.username, "email": user.email, "first_name": first, "last_name": last}
