"""The Data Download section and its endpoints.

Open edX's instructor API, at its paths with its answers (``lms/djangoapps/instructor/views/api.py``):

* ``POST /courses/<course_id>/instructor/api/calculate_grades_csv`` (grade report),
  ``.../problem_grade_report``, ``.../get_students_features/csv`` (enrolled learners' profiles),
  ``.../get_problem_responses`` (``problem_location``: comma-separated usage ids, optional): each starts
  the report's background task and answers ``{"status": <message>, "task_id": ...}``; the same report
  already running is a 400;
* ``POST /courses/<course_id>/instructor/api/list_report_downloads``: ``{"downloads": [{"url", "name",
  "created", "size", "report_type"}]}``, newest first.

Kampus's own: ``POST /api/instructor/v1/courses/<course_id>/reports/<report_type>`` starts any report
(the answer distribution has no Open edX endpoint), ``GET /api/instructor/v1/courses/<course_id>/reports``
lists the files, ``GET /courses/<course_id>/instructor/reports/<id>/download`` downloads one.
Only course staff and instructors (``instructor.reports``) start, list and download reports.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, send_file, url_for
from flask_babel import gettext as _
from pydantic import BaseModel, Field
from werkzeug.wrappers import Response

from kampus.api_docs import ApiSection
from kampus.tasks.api import AlreadyRunningError
from kampus_instructor.access import require
from kampus_instructor.http import ERRORS, ApiError, check, install_errors, params
from kampus_instructor.pages import render_dashboard_page
from kampus_instructor.reports.api import (
    REPORT_TYPES,
    REPORTS_PERMISSION,
    list_reports,
    open_report,
    report_file,
    start_report,
)
from kampus_instructor.reports.models import ReportFile

bp = Blueprint("instructor_reports", __name__)
install_errors(bp)

reports_api = ApiSection("instructor: reports",
                         "Data downloads of the instructor dashboard: background reports written to CSV files.",
                         errors="openedx")

PREFIX = "/courses/<course_id>/instructor/api"

#: Open edX's messages when a report starts (``success_status``).
STARTED = {
    "grade_report": "The grade report is being created. To view the status of the report, see Pending Tasks below.",
    "problem_grade_report": "The problem grade report is being created. To view the status of the report, "
                            "see Pending Tasks below.",
    "profiles": "The enrolled learner profile report is being created. To view the status of the report, "
                "see Pending Tasks below.",
    "problem_responses": "The problem responses report is being created. To view the status of the report, "
                         "see Pending Tasks below.",
    "answer_distribution": "The answer distribution report is being created. To view the status of the report, "
                           "see Pending Tasks below.",
}


class Started(BaseModel):
    """A report's task was submitted."""

    status: str
    task_id: str


class ProblemResponsesForm(BaseModel):
    problem_location: str | None = Field(None, description="Comma-separated usage ids of problems or subsections "
                                                           "(all problems when absent).")


class ReportStart(BaseModel):
    problem_locations: list[str] | None = Field(None, description="Problems or subsections (problem responses "
                                                                  "and answer distribution only).")


class Download(BaseModel):
    url: str
    name: str
    created: str
    size: int
    rows: int
    report_type: str


class Downloads(BaseModel):
    downloads: list[Download]


def _locations(value: Any) -> list[str] | None:
    if value in (None, "", []):
        return None
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise ApiError(400, _("problem_location must name usage ids, separated by commas."), "problem_location")
    if len(value) > 200:
        raise ApiError(400, _("At most 200 problem locations."), "problem_location")
    return value


def _start(slug: str, course_id: str, **options: Any) -> Response:
    user = check(REPORTS_PERMISSION, course_id, published=False)
    try:
        record = start_report(slug, course_id, user.id, **options)
    except AlreadyRunningError:
        raise ApiError(400, _("This report is already being created. To view its status, see Pending Tasks.")) from None
    return {"status": _(STARTED[slug]), "task_id": record.id}  # type: ignore[return-value]


@bp.post(f"{PREFIX}/calculate_grades_csv")
@reports_api.doc(resp={200: Started, **ERRORS})
def calculate_grades_csv(course_id: str) -> Response:
    """Start the grade report (every learner, by assignment)."""
    return _start("grade_report", course_id)


@bp.post(f"{PREFIX}/problem_grade_report")
@reports_api.doc(resp={200: Started, **ERRORS})
def problem_grade_report(course_id: str) -> Response:
    """Start the problem grade report (every learner's points on each problem)."""
    return _start("problem_grade_report", course_id)


@bp.post(f"{PREFIX}/get_students_features/csv")
@reports_api.doc(resp={200: Started, **ERRORS})
def get_students_features_csv(course_id: str) -> Response:
    """Start the report of enrolled learners' profiles."""
    return _start("profiles", course_id)


@bp.post(f"{PREFIX}/get_problem_responses")
@reports_api.doc(form=ProblemResponsesForm, resp={200: Started, **ERRORS})
def get_problem_responses(course_id: str) -> Response:
    """Start the problem responses report (of the problems under ``problem_location``, else all)."""
    return _start("problem_responses", course_id, problem_locations=_locations(params().get("problem_location")))


def _download_json(row: ReportFile) -> dict[str, Any]:
    return {"url": url_for("instructor_reports.download", course_id=row.course_id, report_id=row.id),
            "name": row.name, "created": row.created_at.isoformat() if row.created_at else "",
            "size": row.size, "rows": row.rows, "report_type": row.report_type}


@bp.post(f"{PREFIX}/list_report_downloads")
@reports_api.doc(resp={200: Downloads, **ERRORS})
def list_report_downloads(course_id: str) -> Response:
    """The course's report files, newest first, with their download URLs."""
    check(REPORTS_PERMISSION, course_id, published=False)
    return {"downloads": [_download_json(row) for row in list_reports(course_id)]}  # type: ignore[return-value]


@bp.get("/api/instructor/v1/courses/<course_id>/reports")
@reports_api.doc(resp={200: Downloads, **ERRORS})
def report_list(course_id: str) -> Response:
    """The course's report files, newest first (as ``list_report_downloads``)."""
    return list_report_downloads(course_id)


@bp.post("/api/instructor/v1/courses/<course_id>/reports/<report_type>")
@reports_api.doc(json=ReportStart, resp={200: Started, **ERRORS})
def report_start(course_id: str, report_type: str) -> Response:
    """Start a report: ``profiles``, ``grade_report``, ``problem_grade_report``, ``problem_responses`` or
    ``answer_distribution``."""
    if report_type not in REPORT_TYPES:
        check(REPORTS_PERMISSION, course_id, published=False)
        raise ApiError(404, _("There is no report type %(name)s.", name=report_type))
    body = params()
    options: dict[str, Any] = {}
    if report_type in ("problem_responses", "answer_distribution"):
        options["problem_locations"] = _locations(body.get("problem_locations"))
    return _start(report_type, course_id, **options)


@bp.get("/courses/<course_id>/instructor/reports/<int:report_id>/download")
def download(course_id: str, report_id: int) -> Response:
    """Download a report file (course staff only)."""
    require(REPORTS_PERMISSION, course_id)
    row = report_file(course_id, report_id)
    if row is None:
        abort(404)
    try:
        stream = open_report(row)
    except KeyError:
        abort(404)
    return send_file(stream, mimetype="text/csv", as_attachment=True, download_name=row.name)


@bp.get("/courses/<course_id>/instructor/reports")
def page(course_id: str) -> str:
    """The Data Download section: buttons that start reports, their progress, the files."""
    require(REPORTS_PERMISSION, course_id)
    return render_dashboard_page("instructor/reports/reports.html", course_id, "reports",
                                 report_types=REPORT_TYPES, reports=list_reports(course_id))
