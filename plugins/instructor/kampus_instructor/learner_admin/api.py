"""The learner admin area's API, for the other areas of the dashboard (the gradebook): the JSON error
answers of the instructor API and its permission check, the learner lookup.

Errors are Open edX's bodies: ``{"developer_message", "user_message", "field_errors"}``.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_login import current_user
from kampus_lms.api import course_overview
from werkzeug.wrappers import Response

from kampus.identity.permissions import has_permission
from kampus_instructor.learner_admin.service import ActionError, find_learner

#: Act on a learner's problems, scores and due dates (Open edX: course staff).
ACT = "instructor.learner_admin.act"
#: Reset or rescore a problem for every learner at once (Open edX: the course's instructors).
ACT_ALL = "instructor.learner_admin.all_learners"


class ApiError(Exception):
    """An error answer of the instructor API."""

    def __init__(self, status: int, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.message, self.field = status, message, field

    def response(self) -> Response:
        body: dict[str, Any] = {"developer_message": self.message, "user_message": self.message}
        if self.field:
            body["field_errors"] = {self.field: {"developer_message": self.message, "user_message": self.message}}
        answer = jsonify(body)
        answer.status_code = self.status
        return answer


def from_action_error(err: ActionError) -> ApiError:
    """The API answer of a service's :class:`ActionError`."""
    return ApiError(err.status, err.message, err.field)


def api_require(permission: str, course_id: str) -> Any:
    """The requesting user when they hold ``permission`` in an existing course; else :class:`ApiError`
    (401 anonymous, 404 unknown course, 403 without permission)."""
    if not current_user.is_authenticated:
        raise ApiError(401, "Authentication credentials were not provided.")
    if course_overview(course_id) is None:
        raise ApiError(404, f"Course {course_id} does not exist.")
    if not has_permission(current_user, permission, course_id):
        raise ApiError(403, "You do not have permission to perform this action.")
    return current_user._get_current_object()  # type: ignore[attr-defined]


__all__ = ["ACT", "ACT_ALL", "ActionError", "ApiError", "api_require", "find_learner", "from_action_error"]
