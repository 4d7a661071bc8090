"""The gradebook page of the dashboard: learners by graded subsection (filter, including the gradebook API's
grade ranges, paginate), a bulk override of one subsection's grade with a reason, the removal of one
learner's override, the audit trail of overrides, CSV export and import.

Forms post here and call :mod:`~kampus_instructor.gradebook.service` (the REST endpoints call the same)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from kampus_lms.api import OVERRIDE_GRADES
from werkzeug.wrappers import Response

from kampus.identity.permissions import has_permission
from kampus.identity.views import safe_next
from kampus_instructor.access import require
from kampus_instructor.gradebook import service
from kampus_instructor.gradebook.rest import EXPORT_PERMISSION
from kampus_instructor.pages import render_dashboard_page

bp = Blueprint("instructor_gradebook", __name__)
#: The grade-range filters of the page: the gradebook API's query parameters, with the same names.
GRADE_FILTERS = ("course_grade_min", "course_grade_max", "assignment", "assignment_grade_min",
                 "assignment_grade_max")


def _int(value: str | None) -> int | None:
    try:
        number = int(value) if value not in (None, "") else None
    except ValueError:
        return None
    return number if number is None or 0 <= number < 2**31 else None  # ids the databases can hold


@bp.get("/courses/<course_id>/instructor/gradebook")
def page(course_id: str) -> str:
    """The gradebook section."""
    require("instructor.view", course_id)
    filters: dict[str, Any] = {
        "q": request.args.get("q", ""), "mode": request.args.get("mode", ""),
        "cohort": _int(request.args.get("cohort")),
        "page_size": min(max(_int(request.args.get("page_size")) or service.PAGE_SIZE, 1), 200),
        **{name: request.args.get(name, "").strip() for name in GRADE_FILTERS}}
    try:
        ranges = service.GradeRanges(
            course_min=service.percent_bound(filters["course_grade_min"], "course_grade_min"),
            course_max=service.percent_bound(filters["course_grade_max"], "course_grade_max"),
            assignment=filters["assignment"] or None,
            assignment_min=service.percent_bound(filters["assignment_grade_min"], "assignment_grade_min"),
            assignment_max=service.percent_bound(filters["assignment_grade_max"], "assignment_grade_max"))
        book = service.gradebook_page(course_id, text=filters["q"], mode=filters["mode"],
                                      cohort_id=filters["cohort"], after=_int(request.args.get("after")),
                                      before=_int(request.args.get("before")), page_size=filters["page_size"],
                                      ranges=ranges)
        history = service.history(course_id)
    except service.GradebookError as err:
        flash(err.message, "danger")
        book, history = None, []
    return render_dashboard_page("instructor/gradebook/page.html", course_id, "gradebook", book=book,
                                 history=history, filters=filters,
                                 may_override=has_permission(current_user, OVERRIDE_GRADES, course_id),
                                 may_export=has_permission(current_user, EXPORT_PERMISSION, course_id))


def _back(course_id: str) -> Response:
    default = url_for("instructor_gradebook.page", course_id=course_id)
    return redirect(safe_next(request.form.get("next"), default))


@bp.post("/courses/<course_id>/instructor/gradebook/override")
def override(course_id: str) -> Response:
    """Override one subsection's grade of the chosen learners, with a reason."""
    require(OVERRIDE_GRADES, course_id)
    user_ids = [uid for uid in (_int(v) for v in request.form.getlist("user_id")) if uid is not None]
    try:
        count = service.bulk_override(course_id, user_ids, request.form.get("usage_id", ""),
                                      request.form.get("earned"), request.form.get("possible"),
                                      request.form.get("reason", ""), by_user_id=int(current_user.id))
        flash(_("%(count)s grade(s) overridden.", count=count), "success")
    except service.GradebookError as err:
        flash(err.message, "danger")
    return _back(course_id)


@bp.post("/courses/<course_id>/instructor/gradebook/override/remove")
def remove_override(course_id: str) -> Response:
    """Remove one learner's override of a subsection (``override``: ``<user id>:<subsection usage id>``),
    with an optional reason the audit trail keeps."""
    require(OVERRIDE_GRADES, course_id)
    user_part, _sep, usage_id = request.form.get("override", "").partition(":")
    user_id = _int(user_part)
    try:
        if user_id is None or not usage_id:
            raise service.GradebookError(_("Choose an overridden grade to remove."))
        service.remove_override(course_id, user_id, usage_id, request.form.get("reason", ""),
                                by_user_id=int(current_user.id))
        flash(_("The override was removed."), "success")
    except service.GradebookError as err:
        flash(err.message, "danger")
    return _back(course_id)


@bp.post("/courses/<course_id>/instructor/gradebook/import")
def import_overrides(course_id: str) -> Response:
    """Import overrides from a bulk grades CSV: all rows or none, errors listed per row."""
    require(OVERRIDE_GRADES, course_id)
    upload = request.files.get("csv")
    if upload is None or not upload.filename:
        flash(_("Choose a CSV file."), "danger")
        return _back(course_id)
    try:
        result = service.import_csv(course_id, upload.read(service.MAX_IMPORT_BYTES + 1),
                                    by_user_id=int(current_user.id))
        flash(_("%(count)s override(s) imported.", count=result["overrides"]), "success")
    except service.GradebookError as err:
        flash(err.message, "danger")
        for error in err.errors[:20]:
            flash(_("Row %(row)s %(column)s: %(error)s", row=error["row"], column=error["column"],
                    error=error["error"]), "danger")
    return _back(course_id)
