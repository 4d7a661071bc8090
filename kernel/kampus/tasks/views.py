"""Pages and JSON API of task records: a live progress bar per task."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, jsonify, render_template
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from kampus import db
from kampus.tasks.models import TaskRecord

bp = Blueprint("tasks", __name__)


def _visible_record(task_id: str) -> TaskRecord:
    record = db.session().get(TaskRecord, task_id)
    if record is None:
        abort(404, "No such task.")
    if record.user_id != current_user.id and not current_user.is_staff:
        abort(403, "This task belongs to someone else.")
    return record


def _visible_records(limit: int = 100) -> list[TaskRecord]:
    query = sa.select(TaskRecord).order_by(TaskRecord.created_at.desc()).limit(limit)
    if not current_user.is_staff:
        query = query.where(TaskRecord.user_id == current_user.id)
    return list(db.session().scalars(query))


@bp.get("/tasks/")
@login_required
def task_list() -> str:
    return render_template("kampus/tasks/list.html", records=_visible_records())


@bp.get("/tasks/<task_id>")
@login_required
def task_page(task_id: str) -> str:
    return render_template("kampus/tasks/detail.html", record=_visible_record(task_id))


@bp.get("/api/tasks/v1/tasks/")
@login_required
def api_task_list() -> Response:
    return jsonify({"results": [record.to_json() for record in _visible_records()]})


@bp.get("/api/tasks/v1/tasks/<task_id>")
@login_required
def api_task(task_id: str) -> Response:
    return jsonify(_visible_record(task_id).to_json())
