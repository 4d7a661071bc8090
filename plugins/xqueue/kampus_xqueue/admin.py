"""The staff page of the queues: ``/xqueue/admin/`` (permission ``xqueue.manage``: global staff).

Queues with their length, oldest waiting submission, submissions being graded and stuck ones (taken and past
the timeout), with Requeue and Retire; failed submissions (Requeue); create and edit a queue; grader
credentials (a password typed, or generated and shown once). Every change is a POST with the CSRF token.
"""

from __future__ import annotations

import secrets
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from kampus_hookspecs import NavItem
from werkzeug.wrappers import Response

from kampus import db
from kampus.identity.permissions import has_permission, require_permission
from kampus_xqueue import service
from kampus_xqueue.models import DEFAULT_MAX_FAILURES, DEFAULT_TIMEOUT, MODES, PULL, GraderAccount, Queue

bp = Blueprint("xqueue_admin", __name__)

ADMIN_URL = "/xqueue/admin/"


def nav_items(user: Any) -> list[NavItem]:
    """"Grading queues" for users who manage them."""
    if not has_permission(user, "xqueue.manage"):
        return []
    return [NavItem(label=_("Grading queues"), url=ADMIN_URL, order=90)]


def _int(name: str, default: int) -> int:
    try:
        return int(request.form.get(name, default))
    except (TypeError, ValueError):
        raise service.QueueError(_("%(field)s must be a whole number.", field=name)) from None


def _page(status: int = 200, error: str | None = None, form: dict[str, Any] | None = None,
          new_password: tuple[str, str] | None = None) -> tuple[str, int]:
    db_session = db.session()
    stats = service.queue_stats(db_session)
    graders = db_session.scalars(sa.select(GraderAccount).order_by(GraderAccount.username)).all()
    return render_template(
        "xqueue/admin.html", stats=stats, failed=service.failed_submissions(db_session), graders=graders,
        modes=MODES, error=error, form=form or {}, new_password=new_password, default_timeout=DEFAULT_TIMEOUT,
        default_max_failures=DEFAULT_MAX_FAILURES), status


@bp.get(ADMIN_URL)
@require_permission("xqueue.manage")
def admin_page() -> Any:
    service.maybe_sweep(db.session())
    return _page()


@bp.post(ADMIN_URL + "queues")
@require_permission("xqueue.manage")
def save_queue() -> Any:
    db_session = db.session()
    form = request.form.to_dict()
    try:
        queue_id = int(form["queue_id"]) if form.get("queue_id") else None
        service.save_queue(db_session, form.get("name", ""), mode=form.get("mode", PULL), url=form.get("url", ""),
                           timeout=_int("timeout", DEFAULT_TIMEOUT),
                           max_failures=_int("max_failures", DEFAULT_MAX_FAILURES), queue_id=queue_id)
    except (service.QueueError, ValueError) as err:
        db_session.rollback()
        return _page(400, str(err), form)
    db_session.commit()
    flash(_("Queue %(name)s saved.", name=form.get("name", "").strip()), "success")
    return redirect(url_for("xqueue_admin.admin_page"))


@bp.get(ADMIN_URL + "queues/<int:queue_id>")
@require_permission("xqueue.manage")
def edit_queue(queue_id: int) -> Any:
    queue = db.session().get(Queue, queue_id)
    if queue is None:
        return _page(404, _("No such queue."))
    return render_template("xqueue/queue_form.html", queue=queue, modes=MODES)


@bp.post(ADMIN_URL + "graders")
@require_permission("xqueue.manage")
def add_grader() -> Any:
    db_session = db.session()
    form = request.form.to_dict()
    password = form.get("password") or ""
    generated = not password
    if generated:
        password = secrets.token_urlsafe(18)
    try:
        service.add_grader(db_session, form.get("queue", ""), form.get("username", ""), password)
    except service.QueueError as err:
        db_session.rollback()
        return _page(400, str(err), form)
    db_session.commit()
    if generated:  # shown once, on this answer only
        return _page(200, None, None, (form.get("username", "").strip(), password))
    flash(_("Grader %(name)s may use queue %(queue)s.", name=form.get("username", "").strip(),
            queue=form.get("queue", "")), "success")
    return redirect(url_for("xqueue_admin.admin_page"))


@bp.post(ADMIN_URL + "graders/<int:grader_id>/delete")
@require_permission("xqueue.manage")
def delete_grader(grader_id: int) -> Response:
    db_session = db.session()
    service.remove_grader(db_session, grader_id)
    db_session.commit()
    flash(_("Grader removed."), "success")
    return redirect(url_for("xqueue_admin.admin_page"))


@bp.post(ADMIN_URL + "submissions/<int:submission_id>/<action>")
@require_permission("xqueue.manage")
def submission_action(submission_id: int, action: str) -> Any:
    db_session = db.session()
    if action == "requeue":
        done = service.requeue(db_session, submission_id)
        message = _("Submission %(id)s requeued.", id=submission_id)
    elif action == "retire":
        done = service.retire(db_session, submission_id)
        message = _("Submission %(id)s retired.", id=submission_id)
    else:
        return _page(404, _("Unknown action."))
    if not done:
        return _page(409, _("Submission %(id)s cannot be changed that way now.", id=submission_id))
    flash(message, "success")
    return redirect(url_for("xqueue_admin.admin_page"))
