"""The course info section (the dashboard's first) and its REST endpoint."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify
from kampus_lms.api import course_overview
from pydantic import BaseModel
from werkzeug.wrappers import Response

from kampus.api_docs import ApiSection
from kampus_instructor.access import require
from kampus_instructor.course_info.service import course_info
from kampus_instructor.http import ErrorBody, check, install_errors
from kampus_instructor.pages import render_dashboard_page

bp = Blueprint("instructor_course_info", __name__)
install_errors(bp)

course_info_api = ApiSection("instructor course info", "A course's enrollment counts, dates, grade cutoffs "
                             "and links (the instructor dashboard's Course Info).", errors="openedx")


class CourseInfo(BaseModel):
    """A course's facts for its team."""

    course_id: str
    display_name: str
    org: str
    number: str
    run: str
    self_paced: bool
    enrollment_counts: dict[str, int]
    start: str | None
    end: str | None
    enrollment_start: str | None
    enrollment_end: str | None
    has_started: bool
    has_ended: bool
    grade_cutoffs: dict[str, float]
    outline_url: str
    studio_url: str | None


@bp.get("/courses/<course_id>/instructor/course_info")
def course_info_page(course_id: str) -> str:
    """The course info section."""
    require("instructor.view", course_id)
    info = course_info(course_id)
    overview = course_overview(course_id)
    if info is None or overview is None:
        abort(404)
    dates = {"start": overview.start, "end": overview.end, "enrollment_start": overview.enrollment_start,
             "enrollment_end": overview.enrollment_end}
    return render_dashboard_page("instructor/course_info/index.html", course_id, "course_info", info=info,
                                 dates=dates)


@bp.get("/api/instructor/v1/courses/<course_id>/info")
@course_info_api.doc(resp={200: CourseInfo, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody})
def course_info_api_view(course_id: str) -> Response:
    """A course's enrollment counts by mode (and ``total``), dates, grade cutoffs and links."""
    check("instructor.view", course_id)
    return jsonify(course_info(course_id))
