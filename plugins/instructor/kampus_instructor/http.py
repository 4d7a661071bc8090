"""What every JSON endpoint of the dashboard shares: Open edX's error bodies, the permission check that
answers JSON, and the request's parameters (a form, as Open edX's dashboard posts, or a JSON object).

Errors are Open edX's ``{"developer_message", "user_message", "field_errors"}`` (the instructor API's
``lms/djangoapps/instructor/views/api.py`` answers in this shape).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from kampus_lms.api import course_overview
from pydantic import BaseModel
from werkzeug.wrappers import Response

from kampus.course_keys import is_course_id
from kampus.identity.permissions import has_permission


class ApiError(Exception):
    """An error answer: ``status``, the message (developer and user message alike) and, when the error is
    about one field, that field's entry in ``field_errors``."""

    def __init__(self, status: int, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.message, self.field = status, message, field or ""

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


#: The errors every endpoint may answer (for the OpenAPI document).
ERRORS: dict[int, Any] = {400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody}


def install_errors(bp: Blueprint) -> None:
    """Answer :class:`ApiError` raised by the blueprint's views with its JSON body."""
    bp.register_error_handler(ApiError, lambda error: error.response())


def check(permission: str, course_id: str, *, published: bool = True) -> Any:
    """The requesting user when they hold ``permission`` in ``course_id``; else :class:`ApiError` 401 (no
    credentials), 404 (no published course, or with ``published=False`` not a course id at all) or 403."""
    if not current_user.is_authenticated:
        raise ApiError(401, _("Authentication credentials were not provided."))
    if published and course_overview(course_id) is None:
        raise ApiError(404, _("There is no published course %(course_id)s.", course_id=course_id))
    if not published and not is_course_id(course_id):
        raise ApiError(404, _("There is no course %(course_id)s.", course_id=course_id))
    if not has_permission(current_user, permission, course_id):
        raise ApiError(403, _("You do not have permission to perform this action."))
    return current_user._get_current_object()  # type: ignore[attr-defined]


def params() -> dict[str, Any]:
    """The request's parameters: its JSON object, else its form (:class:`ApiError` 400 for other JSON)."""
    if request.is_json:
        body = request.get_json(silent=True)
        if body is None and not request.get_data():
            return {}
        if not isinstance(body, dict):
            raise ApiError(400, _("The request body must be a JSON object."))
        return body
    return request.form.to_dict()


def no_content() -> Response:
    """204 without a body (a Flask response: SpecTree keeps its status)."""
    return current_app.response_class(status=204)
