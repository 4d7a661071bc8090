"""What the reports and tasks areas' JSON endpoints share: Open edX's error bodies, the permission check
answering JSON, and the request's parameters (form or JSON)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import BaseModel
from werkzeug.wrappers import Response

from kampus.course_keys import is_course_id
from kampus.identity.permissions import has_permission


class ApiError(Exception):
    """An error answer: Open edX's ``developer_message``, ``user_message``, ``field_errors``."""

    def __init__(self, status: int, message: str, field: str = ""):
        super().__init__(message)
        self.status, self.message, self.field = status, message, field

    def response(self) -> Response:
        """The JSON answer of the error."""
        body: dict[str, Any] = {"developer_message": self.message, "user_message": self.message, "field_errors": {}}
        if self.field:
            body["field_errors"] = {self.field: {"developer_message": self.message, "user_message": self.message}}
        answer = jsonify(body)
        answer.status_code = self.status
        return answer


class ErrorBody(BaseModel):
    """An error (Open edX's shape)."""

    developer_message: str
    user_message: str
    field_errors: dict[str, Any] = {}


#: The errors every endpoint may answer.
ERRORS: dict[int, Any] = {400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody}


def install_errors(bp: Blueprint) -> None:
    """Answer :class:`ApiError` raised by the blueprint's views with its JSON body."""
    bp.register_error_handler(ApiError, lambda error: error.response())


def check(permission: str, course_id: str) -> Any:
    """The requesting user when they hold ``permission`` in ``course_id``; else :class:`ApiError` 401,
    404 (not a course id) or 403."""
    if not current_user.is_authenticated:
        raise ApiError(401, _("Authentication credentials were not provided."))
    if not is_course_id(course_id):
        raise ApiError(404, _("There is no course %(course_id)s.", course_id=course_id))
    if not has_permission(current_user, permission, course_id):
        raise ApiError(403, _("You do not have permission to perform this action."))
    return current_user._get_current_object()  # type: ignore[attr-defined]


def params() -> dict[str, Any]:
    """The request's parameters: its JSON object, else its form (``ApiError`` 400 for other JSON)."""
    if request.is_json:
        body = request.get_json(silent=True)
        if body is None and not request.get_data():
            return {}
        if not isinstance(body, dict):
            raise ApiError(400, _("The body must be a JSON object."))
        return body
    return request.form.to_dict()
