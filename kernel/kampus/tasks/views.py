"""Pages and JSON API of task records: a live progress bar per task.

Access: the user who started a task, or global staff; others get 403, unknown
ids 404. A failed task's error (with its traceback) is shown to staff only;
its owner sees a short message.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from kampus import db
from kampus.app import current_kampus
from kampus.tasks import runner
from kampus.tasks.demo import count
from kampus.tasks.models import TaskRecord

bp = Blueprint("tasks", __name__)

#: Tasks that staff may start through ``POST /api/tasks/v1/tasks/``.
API_SUBMITTABLE = frozenset({"kampus.tasks.demo.count"})


def _is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_staff", False) or getattr(user, "is_superuser", False))


def _visible_record(task_id: str) -> TaskRecord:
    record = db.session().get(TaskRecord, task_id)
    if record is None:
        abort(404, "No such task.")
    if record.user_id != current_user.id and not _is_staff(current_user):
        abort(403, "This task belongs to someone else.")
    return record


def _visible_records(limit: int = 100) -> list[TaskRecord]:
    query = sa.select(TaskRecord).order_by(TaskRecord.created_at.desc()).limit(limit)
    if not _is_staff(current_user):
        query = query.where(TaskRecord.user_id == current_user.id)
    return list(db.session().scalars(query))


@bp.get("/tasks/")
@login_required
def task_list() -> str:
    return render_template(
        "kampus/tasks/list.html", records=_visible_records(), is_staff=_is_staff(current_user)
    )


@bp.post("/tasks/demo")
@login_required
def run_demo() -> Response:
    """Staff: start the demo task and watch it on its page."""
    if not _is_staff(current_user):
        abort(403, "Only staff can run the demo task.")
    record = runner.submit(current_kampus(), count, n=20, delay=0.25, user_id=current_user.id)
    return redirect(url_for("tasks.task_page", task_id=record.id))


@bp.get("/tasks/<task_id>")
@login_required
def task_page(task_id: str) -> str:
    record = _visible_record(task_id)
    return render_template(
        "kampus/tasks/detail.html", record=record, error=record.public_error(_is_staff(current_user))
    )


@bp.get("/api/tasks/v1/tasks/")
@login_required
def api_task_list() -> Response:
    full = _is_staff(current_user)
    return jsonify({"results": [record.to_json(full_error=full) for record in _visible_records()]})


@bp.get("/api/tasks/v1/tasks/<task_id>")
@login_required
def api_task(task_id: str) -> Response:
    return jsonify(_visible_record(task_id).to_json(full_error=_is_staff(current_user)))


@bp.post("/api/tasks/v1/tasks/")
@login_required
def api_submit() -> tuple[Response, int, dict[str, str]]:
    """Staff: start an allowed task. Body: ``{"name": ..., "kwargs": {...}, "key": ""}``."""
    if not _is_staff(current_user):
        abort(403, "Only staff can start tasks.")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, "Send a JSON object with the task's name.")
    name, kwargs, key = body.get("name"), body.get("kwargs") or {}, body.get("key") or ""
    if name not in API_SUBMITTABLE:
        abort(400, f"Tasks that can be started here: {', '.join(sorted(API_SUBMITTABLE))}.")
    if not isinstance(kwargs, dict) or not isinstance(key, str):
        abort(400, "'kwargs' must be an object and 'key' a string.")
    try:
        record = runner.submit(current_kampus(), name, user_id=current_user.id, key=key, **kwargs)
    except runner.AlreadyRunningError as exc:
        abort(409, f"That task is already running: {exc.record_id}.")
    except (runner.UnknownTaskError, TypeError) as exc:
        abort(400, str(exc))
    location = url_for("tasks.api_task", task_id=record.id)
    return jsonify(record.to_json()), 202, {"Location": location}
