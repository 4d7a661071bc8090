"""The /hello page and the word-count endpoint."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from kampus import db
from kampus.app import current_kampus
from kampus_example.models import login_count

bp = Blueprint("example", __name__)

MAX_TEXT = 1_000_000


@bp.get("/hello")
def hello() -> str:
    kampus = current_kampus()
    logins = login_count(db.session(), current_user.id) if current_user.is_authenticated else None
    return render_template("example/hello.html", greeting=kampus.settings.example_greeting, logins=logins)


def _submit(name: str, *args: object, user_id: int) -> object:
    try:
        from kampus.tasks.api import submit  # the task API, where the kernel provides it
    except ImportError:
        from kampus.tasks.runner import submit as runner_submit

        return runner_submit(current_kampus(), name, *args, user_id=user_id)
    return submit(name, *args, user_id=user_id)


@bp.post("/hello/count")
@login_required
def count() -> Response | tuple[Response, int]:
    payload = request.get_json(silent=True) if request.is_json else request.form
    text = (payload or {}).get("text", "")
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
        return jsonify({"error": {"status": 400, "message": "Give a non-empty 'text' (at most 1 MB)."}}), 400
    record = _submit("example.word_count", text, user_id=current_user.id)
    if not request.is_json:
        return redirect(f"/tasks/{record.id}")
    return jsonify({"task_id": record.id, "state": record.state, "url": f"/api/tasks/v1/tasks/{record.id}"}), 202
