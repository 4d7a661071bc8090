"""The gradebook's own REST endpoints (Kampus paths: Open edX's bulk grades CSV lives in a separate
service): the CSV export and import of overrides, the audit trail. Writing single overrides goes through
the LMS's ``POST /api/grades/v1/gradebook/<course_id>/bulk-update`` (Open edX's path)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request, stream_with_context
from flask_login import current_user
from kampus_lms.api import OVERRIDE_GRADES
from pydantic import BaseModel

from kampus.api_docs import ApiSection
from kampus_instructor.gradebook import service
from kampus_instructor.http import ApiError, check, install_errors
from kampus_instructor.reports.api import REPORTS_PERMISSION

#: Who may download the whole gradebook: who may download the course's reports.
EXPORT_PERMISSION = REPORTS_PERMISSION

bp = Blueprint("instructor_gradebook_api", __name__)
install_errors(bp)

gradebook_api = ApiSection("instructor: gradebook", "The gradebook's CSV export and import, and its audit trail.",
                           errors="openedx")
PREFIX = "/api/instructor/v1/courses/<course_id>/gradebook"


class Error(BaseModel):
    developer_message: str
    user_message: str | None = None
    errors: list[dict[str, Any]] | None = None


class ImportAnswer(BaseModel):
    rows: int
    overrides: int


class HistoryItem(BaseModel):
    id: int
    user_id: int
    username: str
    usage_id: str
    subsection_name: str
    action: str
    comments: str
    earned_graded_override: float | None
    possible_graded_override: float | None
    previous_earned_graded: float | None
    previous_possible_graded: float | None
    history_username: str
    created: str


class History(BaseModel):
    results: list[HistoryItem]


def _error(err: service.GradebookError) -> Response:
    body: dict[str, Any] = {"developer_message": err.message, "user_message": err.message}
    if err.errors:
        body["errors"] = err.errors
    answer = jsonify(body)
    answer.status_code = err.status
    return answer


bp.register_error_handler(service.GradebookError, _error)


@bp.get(f"{PREFIX}/export")
@gradebook_api.doc(resp={200: None, 401: Error, 403: Error, 404: Error})
def export(course_id: str) -> Response:
    """The gradebook as CSV (Open edX's bulk grades columns), streamed: learners are read in batches.

    Every learner's grades and email at once: the permission of the report downloads, not the dashboard's."""
    check(EXPORT_PERMISSION, course_id)
    rows = service.export_rows(course_id)
    header = next(rows)  # reading the course's subsections first: its errors come before the answer starts
    body = stream_with_context(service.csv_text(_prepend(header, rows)))
    safe = course_id.replace(":", "_").replace("+", "_")
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="gradebook_{safe}.csv"'})


def _prepend(first: list[str], rest: Any) -> Any:
    yield first
    yield from rest


@bp.post(f"{PREFIX}/import")
@gradebook_api.doc(resp={200: ImportAnswer, 400: Error, 401: Error, 403: Error, 404: Error, 413: Error})
def import_overrides(course_id: str) -> Any:
    """Import overrides from a bulk grades CSV (multipart field ``csv``): all rows or none; 400 lists the
    errors per row."""
    check(OVERRIDE_GRADES, course_id)
    upload = request.files.get("csv")
    if upload is None:
        raise ApiError(400, "Send the CSV file in the field 'csv'.", "csv")
    data = upload.read(service.MAX_IMPORT_BYTES + 1)
    return service.import_csv(course_id, data, by_user_id=int(current_user.id))


@bp.get(f"{PREFIX}/history")
@gradebook_api.doc(resp={200: History, 401: Error, 403: Error, 404: Error})
def override_history(course_id: str) -> Any:
    """Every override of the course's subsection grades, newest first: who, when, before, after, why."""
    check("instructor.view", course_id)
    return {"results": [{**entry, "created": entry["created"].isoformat()} for entry in service.history(course_id)]}
