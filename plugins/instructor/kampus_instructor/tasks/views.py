"""The Background Tasks section: the course's running and finished tasks, and cancel.

* ``POST /courses/<course_id>/instructor/api/list_instructor_tasks`` (Open edX's path and fields):
  ``{"tasks": [...]}``, the running ones, or every recent one with ``include_finished=true``;
* ``GET /api/instructor/v1/courses/<course_id>/tasks`` (``?state=running|all``): ``{"results": [...]}``;
* ``POST /api/instructor/v1/courses/<course_id>/tasks/<task_id>/cancel``: cancel a task (course staff
  and instructors, or the user who started it): a pending task never runs, a running one stops at its
  next progress report; answers the task.

Reading needs ``instructor.view`` (TAs too).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import BaseModel, Field
from werkzeug.wrappers import Response

from kampus.api_docs import ApiSection
from kampus.identity.permissions import has_permission
from kampus.tasks.api import cancel, get_record
from kampus_instructor.access import require
from kampus_instructor.http import ERRORS, ApiError, check, install_errors, params
from kampus_instructor.pages import render_dashboard_page
from kampus_instructor.tasks.service import CANCEL_PERMISSION, list_course_tasks, task_features

bp = Blueprint("instructor_tasks", __name__)
install_errors(bp)

tasks_api = ApiSection("instructor: tasks", "The background tasks of a course: progress, results, cancel.",
                       errors="openedx")


class TaskFeatures(BaseModel):
    """A task (Open edX's ``extract_task_features`` fields, and Kampus's)."""

    task_type: str
    task_id: str
    task_state: str
    requester: str
    model_config = {"extra": "allow"}


class TaskListOpenEdx(BaseModel):
    tasks: list[TaskFeatures]


class TaskList(BaseModel):
    results: list[TaskFeatures]


class ListForm(BaseModel):
    include_finished: str | None = Field(None, description="'true': finished tasks too (the 100 newest).")


class StateQuery(BaseModel):
    state: str = Field("all", description="'running' or 'all'.")


def _flag(value: Any) -> bool:
    return value is True or str(value or "").strip().lower() in ("true", "1", "yes", "on")


def _full_errors(user: Any, course_id: str) -> bool:
    return bool(has_permission(user, CANCEL_PERMISSION, course_id))


@bp.post("/courses/<course_id>/instructor/api/list_instructor_tasks")
@tasks_api.doc(form=ListForm, resp={200: TaskListOpenEdx, **ERRORS})
def list_instructor_tasks(course_id: str) -> Response:
    """The course's running tasks (every recent one with ``include_finished``), newest first."""
    user = check("instructor.view", course_id, published=False)
    running_only = not _flag(params().get("include_finished"))
    return {"tasks": list_course_tasks(course_id, running_only=running_only,  # type: ignore[return-value]
                                       full_errors=_full_errors(user, course_id))}


@bp.get("/api/instructor/v1/courses/<course_id>/tasks")
@tasks_api.doc(query=StateQuery, resp={200: TaskList, **ERRORS})
def task_list(course_id: str) -> Response:
    """The course's tasks, newest first (``state=running`` for the unfinished ones only)."""
    user = check("instructor.view", course_id, published=False)
    state = request.args.get("state", "all")
    if state not in ("all", "running"):
        raise ApiError(400, _("state must be 'running' or 'all'."), "state")
    return {"results": list_course_tasks(course_id, running_only=state == "running",  # type: ignore[return-value]
                                         full_errors=_full_errors(user, course_id))}


@bp.post("/api/instructor/v1/courses/<course_id>/tasks/<task_id>/cancel")
@tasks_api.doc(resp={200: TaskFeatures, **ERRORS})
def cancel_task(course_id: str, task_id: str) -> Response:
    """Cancel a task of the course: a pending one never runs, a running one stops at its next progress."""
    user = check("instructor.view", course_id, published=False)
    record = get_record(task_id)
    if record is None or record.course_id != course_id:
        raise ApiError(404, _("There is no such task in this course."))
    if not (has_permission(user, CANCEL_PERMISSION, course_id) or record.user_id == user.id):
        raise ApiError(403, _("You do not have permission to perform this action."))
    cancelled = cancel(task_id)
    return task_features([cancelled], full_errors=True)[0]  # type: ignore[arg-type,return-value]


@bp.get("/courses/<course_id>/instructor/tasks")
def page(course_id: str) -> str:
    """The Background Tasks section."""
    require("instructor.view", course_id)
    tasks = list_course_tasks(course_id, running_only=False, full_errors=_full_errors(current_user, course_id))
    return render_dashboard_page("instructor/tasks/tasks.html", course_id, "tasks", tasks=tasks,
                                 may_cancel=_full_errors(current_user, course_id))
