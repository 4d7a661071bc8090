"""The learner admin page of the dashboard: find a learner, see their progress, act on a problem (reset
attempts, delete state, rescore, override the score), rescore a problem for everyone, extend due dates.

The page's forms post here and call the same :mod:`~kampus_instructor.learner_admin.service` functions
as the REST endpoints (one code path); each action flashes its outcome and returns to the page.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from kampus.identity.permissions import has_permission
from kampus_instructor.access import require
from kampus_instructor.learner_admin import service
from kampus_instructor.learner_admin.api import ACT, ACT_ALL
from kampus_instructor.pages import render_dashboard_page

bp = Blueprint("instructor_learner_admin", __name__)


@bp.get("/courses/<course_id>/instructor/learner_admin")
def page(course_id: str) -> str:
    """The learner admin section."""
    require("instructor.view", course_id)
    identifier = (request.args.get("learner") or "").strip()
    learner: Any = None
    summary = None
    extensions: dict[str, Any] | None = None
    lookup_error = ""
    if identifier:
        try:
            learner = service.find_learner(identifier)
            summary = service.progress_summary(course_id, learner)
            extensions = service.student_extensions(course_id, learner)
        except service.ActionError as err:
            lookup_error = err.message
            learner = None
    unit = request.args.get("unit") or ""
    unit_extensions = None
    if unit:
        try:
            unit_extensions = service.unit_extensions(course_id, unit)
        except service.ActionError as err:
            lookup_error = err.message
    return render_dashboard_page(
        "instructor/learner_admin/page.html", course_id, "learner_admin",
        identifier=identifier, learner=learner, summary=summary, extensions=extensions, lookup_error=lookup_error,
        problems=service.problems(course_id), subsections=service.subsections_with_due(course_id),
        unit=unit, unit_extensions=unit_extensions,
        may_act=has_permission(current_user, ACT, course_id),
        may_act_all=has_permission(current_user, ACT_ALL, course_id))


def _back(course_id: str, learner: str = "") -> Response:
    return redirect(url_for("instructor_learner_admin.page", course_id=course_id, learner=learner or None))


@bp.post("/courses/<course_id>/instructor/learner_admin/problem")
def problem_action(course_id: str) -> Response:
    """One learner's problem: reset attempts, delete state, rescore or override the score."""
    require(ACT, course_id)
    identifier = request.form.get("learner", "")
    action = request.form.get("action", "")
    usage_id = request.form.get("problem", "")
    try:
        learner = service.find_learner(identifier)
        if action == "reset":
            service.reset_student_attempts(course_id, learner, usage_id, delete_module=False)
            flash(_("The learner's attempts were reset."), "success")
        elif action == "delete":
            service.reset_student_attempts(course_id, learner, usage_id, delete_module=True)
            flash(_("The learner's state of the problem was deleted."), "success")
        elif action == "rescore":
            result = service.rescore_one(course_id, learner, usage_id,
                                         only_if_higher=bool(request.form.get("only_if_higher")))
            flash(_("Rescored: %(before)s → %(after)s of %(possible)s.", before=f"{result['earned_before']:g}",
                    after=f"{result['earned']:g}", possible=f"{result['possible']:g}"), "success")
        elif action == "override":
            result = service.override_score(course_id, learner, usage_id, request.form.get("score"))
            flash(_("Score set to %(after)s of %(possible)s.", after=f"{result['earned']:g}",
                    possible=f"{result['possible']:g}"), "success")
        else:
            flash(_("Choose an action."), "danger")
    except service.ActionError as err:
        flash(err.message, "danger")
    return _back(course_id, identifier)


@bp.post("/courses/<course_id>/instructor/learner_admin/all")
def all_learners_action(course_id: str) -> Response:
    """Rescore a problem, or reset its attempts, for every learner (background tasks); opens the task's page."""
    require(ACT_ALL, course_id)
    usage_id = request.form.get("problem", "")
    try:
        if request.form.get("action") == "reset":
            record = service.reset_all(course_id, usage_id, requester_id=int(current_user.id))
        else:
            record = service.rescore_all(course_id, usage_id, only_if_higher=bool(request.form.get("only_if_higher")),
                                         requester_id=int(current_user.id))
    except service.ActionError as err:
        flash(err.message, "danger")
        return _back(course_id, request.form.get("learner", ""))
    flash(_("The task started: its page shows its progress."), "success")
    return redirect(url_for("tasks.task_page", task_id=record.id))


@bp.post("/courses/<course_id>/instructor/learner_admin/due_date")
def due_date_action(course_id: str) -> Response:
    """Change or reset a learner's due date of a subsection."""
    require(ACT, course_id)
    identifier = request.form.get("learner", "")
    try:
        learner = service.find_learner(identifier)
        if request.form.get("action") == "reset":
            answer = service.reset_due_date(course_id, learner, request.form.get("url", ""))
        else:
            answer = service.change_due_date(course_id, learner, request.form.get("url", ""),
                                             request.form.get("due_datetime"), request.form.get("reason", ""),
                                             int(current_user.id))
        flash(answer["message"], "success")
    except service.ActionError as err:
        flash(err.message, "danger")
    return _back(course_id, identifier)
