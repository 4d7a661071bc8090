"""What the dashboard's JSON endpoints share (this area's and, through :mod:`.api`, the course info and
certificates areas'): Open edX's error bodies, the permission check answering JSON, the request's
fields (form or JSON), and looking users up by username or e-mail."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from kampus_lms.api import course_overview
from pydantic import BaseModel
from werkzeug.wrappers import Response

from kampus import db
from kampus.identity.models import User
from kampus.identity.permissions import has_permission


class ApiError(Exception):
    """An error answer in Open edX's shape: ``developer_message``, ``user_message``, ``field_errors``,
    plus Kampus's ``error`` object."""

    def __init__(self, status: int, message: str, field: str = ""):
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field

    def response(self) -> Response:
        """The JSON answer of the error."""
        body: dict[str, Any] = {"developer_message": self.message, "user_message": self.message,
                                "field_errors": {}, "error": {"status": self.status, "message": self.message}}
        if self.field:
            body["field_errors"] = {self.field: {"developer_message": self.message, "user_message": self.message}}
        answer = jsonify(body)
        answer.status_code = self.status
        return answer


class FieldError(BaseModel):
    developer_message: str
    user_message: str


class ErrorObject(BaseModel):
    status: int
    message: str


class ErrorBody(BaseModel):
    """An error: Open edX's ``developer_message``/``user_message``/``field_errors`` and Kampus's ``error``."""

    developer_message: str
    user_message: str
    field_errors: dict[str, FieldError] = {}
    error: ErrorObject


def install_errors(bp: Blueprint) -> None:
    """Answer :class:`ApiError` raised by the blueprint's views with its JSON body."""
    bp.register_error_handler(ApiError, lambda error: error.response())


def check(permission: str, course_id: str) -> Any:
    """The requesting user when they hold ``permission`` in the published course ``course_id``; else
    :class:`ApiError` 401 (no credentials), 404 (no such course) or 403."""
    if not current_user.is_authenticated:
        raise ApiError(401, _("Authentication credentials were not provided."))
    if course_overview(course_id) is None:
        raise ApiError(404, _("There is no published course %(course_id)s.", course_id=course_id))
    if not has_permission(current_user, permission, course_id):
        raise ApiError(403, _("You do not have permission to perform this action."))
    return current_user._get_current_object()  # type: ignore[attr-defined]


def no_content() -> Response:
    """204 without a body (a Flask response: SpecTree keeps its status)."""
    return current_app.response_class(status=204)


def fields() -> Mapping[str, Any]:
    """The request's fields: its JSON object, else its form."""
    if request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise ApiError(400, _("The request body must be a JSON object."))
        return body
    return request.form


def text_field(name: str, *, required: bool = False, max_length: int = 100_000) -> str:
    """A text field of the request (stripped); :class:`ApiError` 400 when required and missing or too long."""
    value = fields().get(name)
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise ApiError(400, _("The field %(name)s is required.", name=name), name)
    if len(text) > max_length or "\x00" in text:
        raise ApiError(400, _("The field %(name)s is too long or holds a NUL character.", name=name), name)
    return text


def bool_field(name: str) -> bool:
    """Open edX's ``_get_boolean_param``: ``true`` (any case), ``1``, ``on`` or a JSON ``true``."""
    value = fields().get(name)
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
