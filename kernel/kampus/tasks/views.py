"""Pages and JSON API of task records: a live progress bar per task.

Access (:mod:`kampus.tasks.access`): the user who started a task, global
staff, and for a course's task whoever may start that task in that course;
others get 403, unknown ids 404. Users start the tasks that plugins declared
startable (``startable_with``) when they hold its permission. A failed task's
one-line error is shown to global staff only, others see a short message; the
traceback is in the server log, never in a page or the API.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from pydantic import BaseModel, Field
from werkzeug.wrappers import Response

from kampus import db
from kampus.api_docs import ApiSection, CourseIdParam
from kampus.course_keys import is_course_id
from kampus.current import current_kampus
from kampus.tasks import access, runner
from kampus.tasks.demo import count
from kampus.tasks.models import TaskRecord

bp = Blueprint("tasks", __name__)

#: Most records a list shows (newest first).
LIST_LIMIT = 100

tasks_api = ApiSection("tasks", "Background tasks: start the ones you may start, follow their progress.")


class CourseFilter(BaseModel):
    course_id: CourseIdParam


class TaskStart(BaseModel):
    """What to start (checked by the view too: its messages say what is wrong)."""

    name: str | None = Field(None, description="The task's name, one of /api/tasks/v1/startable/.")
    course_id: str | None = Field(None, description="The course the task works on (its permission is checked there).")
    kwargs: Any = Field(None, description="The task's arguments (an object).",
                        json_schema_extra={"type": ["object", "null"]})
    key: str | None = Field(None, description="Idempotency key: a running task with the same key is not started twice.")


class TaskJson(BaseModel):
    """A task record."""

    id: str
    name: str
    state: str
    model_config = {"extra": "allow"}


class TaskList(BaseModel):
    results: list[TaskJson]


class NameList(BaseModel):
    results: list[str]


def _visible_record(task_id: str) -> TaskRecord:
    record = db.session().get(TaskRecord, task_id)
    if record is None:
        abort(404, "No such task.")
    if not access.may_see(current_kampus(), current_user, record):
        abort(403, "This task belongs to someone else.")
    return record


def _course_filter() -> str | None:
    """The ``course_id`` query parameter, checked (400 when it names no course)."""
    course_id = request.args.get("course_id")
    if course_id is None or course_id == "":
        return None
    if not is_course_id(course_id):
        abort(400, "'course_id' is not a course id (course-v1:Org+Number+Run).")
    return course_id


def _visible_records(course_id: str | None, limit: int = LIST_LIMIT) -> list[TaskRecord]:
    """The records the current user may see, newest first (of ``course_id`` only, when given)."""
    query = sa.select(TaskRecord).order_by(TaskRecord.created_at.desc()).limit(limit)
    if course_id is not None:
        query = query.where(TaskRecord.course_id == course_id)
    if not access.is_global_staff(current_user):
        mine = TaskRecord.user_id == current_user.id
        startable = access.startable_tasks(current_kampus(), current_user, course_id) if course_id else []
        query = query.where(sa.or_(mine, TaskRecord.name.in_(startable)) if startable else mine)
    return list(db.session().scalars(query))


@bp.get("/tasks/")
@login_required
def task_list() -> str:
    course_id = _course_filter()
    kampus = current_kampus()
    return render_template(
        "kampus/tasks/list.html", records=_visible_records(course_id), course_id=course_id,
        may_run_demo=access.may_start(kampus, current_user, runner.task_name(count)),
    )


@bp.post("/tasks/demo")
@login_required
def run_demo() -> Response:
    """Start the demo task (for those who hold its permission) and watch it on its page."""
    if not access.may_start(current_kampus(), current_user, runner.task_name(count)):
        abort(403, "You may not run the demo task.")
    record = runner.submit(current_kampus(), count, n=20, delay=0.25, user_id=current_user.id)
    return redirect(url_for("tasks.task_page", task_id=record.id))


@bp.get("/tasks/<task_id>")
@login_required
def task_page(task_id: str) -> str:
    record = _visible_record(task_id)
    return render_template(
        "kampus/tasks/detail.html", record=record, error=record.public_error(access.is_global_staff(current_user))
    )


@bp.get("/api/tasks/v1/tasks/")
@login_required
@tasks_api.doc(query=CourseFilter, resp={200: TaskList, 401: None})
def api_task_list() -> Response:
    """The tasks the user may see, newest first; ``?course_id=`` keeps one course's."""
    records = _visible_records(_course_filter())
    full = access.is_global_staff(current_user)
    return jsonify({"results": [record.to_json(full_error=full) for record in records]})


@bp.get("/api/tasks/v1/tasks/<task_id>")
@login_required
@tasks_api.doc(resp={200: TaskJson, 401: None, 403: None, 404: None})
def api_task(task_id: str) -> Response:
    """One task record."""
    return jsonify(_visible_record(task_id).to_json(full_error=access.is_global_staff(current_user)))


@bp.post("/api/tasks/v1/tasks/")
@login_required
@tasks_api.doc(json=TaskStart, resp={202: TaskJson, 401: None, 403: None, 409: None})
def api_submit() -> tuple[Response, int, dict[str, str]]:
    """Start a task the user may start.

    Body: ``{"name": ..., "course_id": ..., "kwargs": {...}, "key": ""}``;
    ``course_id`` (optional) is where the task's permission is checked; the task
    reads it as ``task.course_id`` (so ``kwargs`` cannot name another course).
    """
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, "Send a JSON object with the task's name.")
    name, kwargs, key = body.get("name"), body.get("kwargs", {}), body.get("key") or ""
    course_id = body.get("course_id") or ""
    kwargs = {} if kwargs is None else kwargs
    if not isinstance(name, str) or not name:
        abort(400, "'name' must be the name of a task.")
    if not isinstance(kwargs, dict) or not isinstance(key, str) or not isinstance(course_id, str):
        abort(400, "'kwargs' must be an object, 'key' and 'course_id' strings.")
    if course_id and not is_course_id(course_id):
        abort(400, "'course_id' is not a course id (course-v1:Org+Number+Run).")
    kampus = current_kampus()
    func = runner.kampus_tasks(kampus).get(name)
    if func is None or access.start_permission(func) is None:
        abort(400, f"No task named {name!r} can be started here.")
    if not access.may_start(kampus, current_user, name, course_id or None):
        abort(403, "You may not start this task" + (" in this course." if course_id else "."))
    if "course_id" in kwargs:
        abort(400, "Name the course as 'course_id' beside 'kwargs', not inside it.")
    problem = access.argument_problem(func, kwargs)
    if problem:
        abort(400, f"Wrong arguments for task {name}: {problem}.")
    try:
        record = runner.submit(kampus, name, user_id=current_user.id, key=key, course_id=course_id, **kwargs)
    except runner.AlreadyRunningError as exc:
        abort(409, f"That task is already running: {exc.record_id}.")
    except TypeError as exc:
        abort(400, str(exc))
    location = url_for("tasks.api_task", task_id=record.id)
    return jsonify(record.to_json(full_error=access.is_global_staff(current_user))), 202, {"Location": location}


@bp.get("/api/tasks/v1/startable/")
@login_required
@tasks_api.doc(query=CourseFilter, resp={200: NameList, 401: None})
def api_startable() -> Response:
    """Names of the tasks the user may start (``?course_id=``: in that course)."""
    return jsonify({"results": access.startable_tasks(current_kampus(), current_user, _course_filter())})
