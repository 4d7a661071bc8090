"""The learning MFE's course home API (Open edX's ``lms/djangoapps/course_home_api``): outline, progress and
dates, at ``/api/course_home/v1/...`` and at the newer unversioned paths ``/api/course_home/...``.

* ``GET .../outline/<course_id>`` (``OutlineTabView``): ``course_blocks`` (``{"blocks": {id: {"children",
  "complete", "description", "display_name", "due", "effort_activities", "effort_time", "icon", "id",
  "lms_web_url", "resume_block", "type", "has_scheduled_content"}}}``: the course, its sections and
  subsections the user may see; ``null`` for a user who may not open the course), ``resume_course``,
  ``dates_widget``, ``enroll_alert``, ``enrollment_mode``, ``handouts_html``, ``welcome_message_html``,
  ``cert_data``, ``has_ended``, ``user_has_passing_grade``, and the fields Kampus has no feature for
  (``access_expiration``, ``offer``, ``verified_mode``: ``null``; ``course_tools``: ``[]``;
  ``course_goals``: no goal).
* ``GET .../progress/<course_id>`` and ``.../progress/<course_id>/<student_id>/`` (staff; ``ProgressTabView``):
  ``course_grade``, ``grading_policy``, ``section_scores``, ``completion_summary``, ``certificate_data``,
  ``enrollment_mode``, ``end``, ``username``, ``user_has_passing_grade``, ``verification_data``.
* ``GET .../dates/<course_id>`` (``DatesTabView``): ``course_date_blocks`` (``assignment_type``,
  ``complete``, ``date``, ``date_type``, ``description``, ``learner_has_access``, ``link``, ``link_text``,
  ``title``, ``extra_info``, ``first_component_block_id``), ``has_ended``, ``learner_is_full_access``,
  ``user_timezone``, ``dates_banner_info``.

Progress and dates need an active enrollment or course staff (else 401 ``"User not enrolled."`` as Open
edX answers); a visitor gets DRF's 401. Each answer costs a constant number of queries (outline,
grade, completion and certificate each read once).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask_login import current_user
from kampus_content.api import grading_policy as course_grading_policy
from pydantic import BaseModel, RootModel
from werkzeug.wrappers import Response

from kampus import db
from kampus.api_docs import ApiSection
from kampus.db import utcnow
from kampus.identity.models import User
from kampus.rendering.dates import select_timezone
from kampus_lms.catalog.api import course_overview
from kampus_lms.certificates.api import CertificateInfo, CertificateStatuses, certificate_status
from kampus_lms.course_home.api import (
    CourseOutline,
    DateItem,
    course_dates_for,
    course_handouts,
    course_updates,
    outline_for,
)
from kampus_lms.courseware.api import course_access, jump_to_url, resume_block
from kampus_lms.enrollment.api import enrollment_refusal, get_enrollment
from kampus_lms.grades.api import NoGrades, ProgressPage, progress_for
from kampus_lms.rest.common import (
    RestError,
    absolute,
    course_key_or_none,
    detail_error,
    drf_datetime,
    install_error_handler,
    is_course_staff,
    json_answer,
    requesting_user,
)

bp = Blueprint("lms_rest_course_home", __name__)
install_error_handler(bp)

course_home_api = ApiSection("course home", "The learning MFE's course home: outline, progress, dates "
                                            "(Open edX's course_home_api).", errors="openedx")

GRADED_ICON = "fa-pencil-square-o"


class Detail(BaseModel):
    detail: str


class NotEnrolled(RootModel[str | dict[str, Any]]):
    """401: ``"User not enrolled."`` (Open edX answers a JSON string), or DRF's ``{"detail"}``."""


class CourseBlock(BaseModel):
    children: list[str]
    complete: bool
    description: str | None
    display_name: str
    due: str | None
    effort_activities: int | None
    effort_time: int | None
    icon: str | None
    id: str
    lms_web_url: str | None
    resume_block: bool
    type: str
    has_scheduled_content: bool | None


class CourseBlocks(BaseModel):
    blocks: dict[str, CourseBlock]


class DateBlock(BaseModel):
    """``DateSummarySerializer``."""

    assignment_type: str | None
    complete: bool | None
    date: str
    date_type: str
    description: str
    learner_has_access: bool
    link: str
    link_text: str
    title: str
    extra_info: str | None
    first_component_block_id: str


class DatesBanner(BaseModel):
    missed_deadlines: bool
    missed_gated_content: bool
    content_type_gating_enabled: bool
    verified_upgrade_link: str | None


class DatesWidget(BaseModel):
    course_date_blocks: list[DateBlock]
    dates_tab_link: str
    user_timezone: str | None


class CertData(BaseModel):
    """``CertificateDataSerializer``."""

    cert_status: str
    cert_web_view_url: str | None
    download_url: str | None
    certificate_available_date: str | None


class Outline(BaseModel):
    access_expiration: dict[str, Any] | None
    cert_data: CertData | None
    course_blocks: CourseBlocks | None
    course_goals: dict[str, Any]
    course_tools: list[dict[str, Any]]
    dates_banner_info: DatesBanner
    dates_widget: DatesWidget
    enroll_alert: dict[str, Any]
    enrollment_mode: str | None
    enable_proctored_exams: bool
    handouts_html: str | None
    has_ended: bool
    offer: dict[str, Any] | None
    resume_course: dict[str, Any]
    welcome_message_html: str | None
    user_has_passing_grade: bool
    verified_mode: dict[str, Any] | None


class CourseGradeOut(BaseModel):
    letter_grade: str | None
    percent: float
    is_passing: bool


class ProblemScoreOut(BaseModel):
    earned: float
    possible: float


class SubsectionScores(BaseModel):
    assignment_type: str | None
    block_key: str
    display_name: str
    has_graded_assignment: bool
    learner_has_access: bool
    num_points_earned: float
    num_points_possible: float
    percent_graded: float
    problem_scores: list[ProblemScoreOut]
    show_correctness: str
    show_grades: bool
    url: str | None


class SectionScores(BaseModel):
    display_name: str
    subsections: list[SubsectionScores]


class AssignmentPolicy(BaseModel):
    num_droppable: int
    num_total: float
    short_label: str
    type: str
    weight: float


class GradingPolicyOut(BaseModel):
    assignment_policies: list[AssignmentPolicy]
    grade_range: dict[str, float]


class Progress(BaseModel):
    access_expiration: dict[str, Any] | None
    certificate_data: CertData | None
    completion_summary: dict[str, int]
    course_grade: CourseGradeOut
    credit_course_requirements: dict[str, Any] | None
    end: str | None
    enrollment_mode: str | None
    grading_policy: GradingPolicyOut
    has_scheduled_content: bool | None
    section_scores: list[SectionScores]
    studio_url: str | None
    username: str
    user_has_passing_grade: bool
    verification_data: dict[str, Any] | None
    verified_mode: dict[str, Any] | None
    disable_progress_graph: bool


class Dates(BaseModel):
    course_date_blocks: list[DateBlock]
    dates_banner_info: DatesBanner
    has_ended: bool
    learner_is_full_access: bool
    user_timezone: str | None


# -- shared pieces -------------------------------------------------------------------------------------------


def _course(course_id: str) -> Any:
    """The published course's overview; DRF's 404 for an id that does not parse or a course that is not
    published (Open edX's ``get_course_or_404``)."""
    key = course_key_or_none(course_id)
    overview = course_overview(str(key)) if key is not None else None
    if overview is None:
        raise detail_error(404, "Not found.")
    return overview


class NotEnrolledError(RestError):
    """Open edX's ``Response('User not enrolled.', status=401)``: the body is a JSON string."""

    def __init__(self) -> None:
        super().__init__(401, {}, message="User not enrolled.", kampus_error=False)

    def response(self) -> Response:
        return json_answer(self.message, 401)


def _enrolled_or_staff(user: Any, course_id: str) -> Any:
    """The learner's enrollment (``None`` for staff who are not enrolled); :class:`NotEnrolledError` for
    someone who is neither actively enrolled nor course staff."""
    enrollment = get_enrollment(user.id, course_id)
    if not (enrollment is not None and enrollment.is_active) and not is_course_staff(user, course_id):
        raise NotEnrolledError()
    return enrollment


def dates_banner() -> dict[str, Any]:
    """``DatesBannerSerializer``: Kampus has no content type gating nor upgrade deadlines."""
    return {"missed_deadlines": False, "missed_gated_content": False, "content_type_gating_enabled": False,
            "verified_upgrade_link": None}


def date_block(item: DateItem) -> dict[str, Any]:
    """``DateSummarySerializer`` of one dated item of the Dates tab."""
    assignment = item.kind == "assignment-due-date"
    return {
        "assignment_type": item.assignment_type or None,
        "complete": ("completed" in item.badges) if assignment else None,
        "date": drf_datetime(item.date),
        "date_type": item.kind,
        "description": item.description,
        "learner_has_access": True,
        "link": absolute(item.link) if item.link else "",
        "link_text": "",
        "title": item.title,
        "extra_info": None,
        "first_component_block_id": "",
    }


def cert_data(info: CertificateInfo | None) -> dict[str, Any] | None:
    """``CertificateDataSerializer`` (Open edX's ``get_cert_data``): ``None`` without a certificate."""
    if info is None:
        return None
    status = info.status
    if status == CertificateStatuses.earned_but_not_available:
        status = "earned_but_not_available"
    return {
        "cert_status": status,
        "cert_web_view_url": absolute(info.download_url) if info.download_url else None,
        "download_url": absolute(info.pdf_url) if info.pdf_url else None,
        "certificate_available_date": drf_datetime(info.available_date),
    }


# -- outline -------------------------------------------------------------------------------------------------


def course_blocks(outline: CourseOutline, overview: Any, resume_unit: str | None) -> dict[str, Any]:
    """``CourseBlockSerializer``: the course, its sections and subsections (not below, as Open edX)."""
    course_id = outline.course_id
    root = str(course_key_or_none(course_id).make_usage_key("course", "course"))  # type: ignore[union-attr]
    blocks: dict[str, Any] = {}

    def block(usage_id: str, kind: str, name: str, children: list[str], complete: bool, *,
              description: str | None = None, due: Any = None, icon: str | None = None,
              resume: bool = False) -> None:
        blocks[usage_id] = {
            "children": children, "complete": complete, "description": description, "display_name": name,
            "due": drf_datetime(due), "effort_activities": None, "effort_time": None, "icon": icon,
            "id": usage_id, "lms_web_url": absolute(jump_to_url(course_id, usage_id)), "resume_block": resume,
            "type": kind, "has_scheduled_content": None,
        }

    for section in outline.sections:
        section_resume = False
        for sub in section.subsections:
            resume = resume_unit is not None and any(unit.usage_id == resume_unit for unit in sub.units)
            section_resume = section_resume or resume
            block(sub.usage_id, "sequential", sub.display_name, [], sub.progress.complete,
                  description=sub.format or None, due=sub.due,
                  icon=GRADED_ICON if sub.graded and sub.progress.possible else None, resume=resume)
        block(section.usage_id, "chapter", section.display_name, [sub.usage_id for sub in section.subsections],
              section.progress.complete, resume=section_resume)
    block(root, "course", overview.display_name, [section.usage_id for section in outline.sections],
          outline.progress.complete)
    return {"blocks": blocks}


def _outline(course_id: str) -> Response:
    overview = _course(course_id)
    course_id = overview.id
    user = current_user._get_current_object()
    authenticated = bool(getattr(user, "is_authenticated", False))
    access = course_access(user, course_id)
    can_view = bool(access is not None and access.can_view_courseware)
    enrollment = get_enrollment(user.id, course_id) if authenticated else None
    enrolled = enrollment is not None and enrollment.is_active
    now = utcnow()
    outline = outline_for(user, course_id, now=now) if can_view else None
    resume_unit = resume_block(user.id, course_id) if authenticated and can_view else None
    certificate = certificate_status(user.id, course_id) if enrolled else None
    updates = course_updates(course_id) if can_view else []
    dates = course_dates_for(user, course_id, now=now) if can_view else []
    today = now.date()
    upcoming = [item for item in dates or [] if item.date.date() >= today]
    can_enroll = authenticated and not enrolled and enrollment_refusal(user, course_id) is None
    return json_answer({
        "access_expiration": None,
        "cert_data": cert_data(certificate),
        "course_blocks": course_blocks(outline, overview, resume_unit) if outline is not None else None,
        "course_goals": {"selected_goal": None, "weekly_learning_goal_enabled": False},
        "course_tools": [],
        "dates_banner_info": dates_banner(),
        "dates_widget": {"course_date_blocks": [date_block(item) for item in upcoming],
                         "dates_tab_link": absolute(f"/courses/{course_id}/dates"),
                         "user_timezone": select_timezone()},
        "enroll_alert": {"can_enroll": bool(can_enroll), "extra_text": ""},
        "enrollment_mode": enrollment.mode if enrolled and enrollment is not None else None,
        "enable_proctored_exams": False,
        "handouts_html": course_handouts(course_id) if can_view else None,
        "has_ended": bool(overview.end is not None and overview.end < now),
        "offer": None,
        "resume_course": {"has_visited_course": bool(outline is not None and outline.has_visited),
                          "url": absolute(outline.resume_url) if outline is not None and outline.resume_url
                          else None},
        "welcome_message_html": updates[0].html if updates else None,
        "user_has_passing_grade": bool(certificate is not None and certificate.is_downloadable),
        "verified_mode": None,
    })


@bp.get("/api/course_home/v1/outline/<course_id>")
@bp.get("/api/course_home/outline/<course_id>")
@course_home_api.doc(resp={200: Outline, 404: Detail})
def outline(course_id: str) -> Response:
    """The course outline tab of the learning MFE."""
    return _outline(course_id)


# -- progress ------------------------------------------------------------------------------------------------


def grading_policy(policy: dict[str, Any]) -> dict[str, Any]:
    """``GradingPolicySerializer``."""
    return {
        "assignment_policies": [{
            "num_droppable": int(item.get("drop_count", 0)), "num_total": float(item.get("min_count", 0)),
            "short_label": str(item.get("short_label", "") or ""), "type": str(item.get("type", "")),
            "weight": float(item.get("weight", 0.0)),
        } for item in policy.get("GRADER", []) if isinstance(item, dict)],
        "grade_range": {str(name): float(value) for name, value in (policy.get("GRADE_CUTOFFS") or {}).items()},
    }


def section_scores(page: ProgressPage) -> list[dict[str, Any]]:
    """``SectionScoresSerializer``."""
    return [{
        "display_name": section.display_name,
        "subsections": [{
            "assignment_type": row.grade.format or None,
            "block_key": row.grade.usage_id,
            "display_name": row.grade.display_name,
            "has_graded_assignment": bool(row.grade.graded),
            "learner_has_access": True,
            "num_points_earned": float(row.grade.graded_total.earned),
            "num_points_possible": float(row.grade.graded_total.possible),
            "percent_graded": float(row.grade.percent_graded),
            "problem_scores": [{"earned": float(score.earned), "possible": float(score.possible)}
                               for score in row.grade.problem_scores],
            "show_correctness": row.grade.show_correctness or "always",
            "show_grades": bool(row.show_scores),
            "url": absolute(row.url),
        } for row in section.subsections],
    } for section in page.sections]


def _progress(course_id: str, student: Any, mode: str | None) -> Response:
    overview = _course(course_id)
    try:
        page = progress_for(student, overview.id, staff_view=False)
    except NoGrades:
        raise detail_error(404, "Not found.") from None
    completion = page.completion
    complete = completion.completed if completion is not None else 0
    possible = completion.possible if completion is not None else 0
    passing = bool(page.grade.passed)
    return json_answer({
        "access_expiration": None,
        "certificate_data": cert_data(page.certificate),
        "completion_summary": {"complete_count": complete, "incomplete_count": possible - complete,
                               "locked_count": 0},
        "course_grade": {"letter_grade": page.grade.letter_grade, "percent": float(page.grade.percent),
                         "is_passing": passing},
        "credit_course_requirements": None,
        "end": drf_datetime(overview.end),
        "enrollment_mode": mode,
        "grading_policy": grading_policy({**course_grading_policy(overview.id), "GRADE_CUTOFFS": page.grade.cutoffs}),
        "has_scheduled_content": None,
        "section_scores": section_scores(page),
        "studio_url": None,
        "username": student.username,
        "user_has_passing_grade": passing,
        "verification_data": {"link": None, "status": "none", "status_date": None},
        "verified_mode": None,
        "disable_progress_graph": False,
    })


@bp.get("/api/course_home/v1/progress/<course_id>")
@bp.get("/api/course_home/progress/<course_id>")
@course_home_api.doc(resp={200: Progress, 401: NotEnrolled, 404: Detail})
def progress(course_id: str) -> Response:
    """The progress tab of the learning MFE: the requesting learner's grade, scores and completion."""
    user = requesting_user()
    overview = _course(course_id)
    enrollment = _enrolled_or_staff(user, overview.id)
    mode = enrollment.mode if enrollment is not None and enrollment.is_active else None
    return _progress(overview.id, user, mode)


@bp.get("/api/course_home/v1/progress/<course_id>/<student_id>/")
@bp.get("/api/course_home/progress/<course_id>/<student_id>/")
@course_home_api.doc(resp={200: Progress, 401: NotEnrolled, 403: Detail, 404: Detail})
def student_progress(course_id: str, student_id: str) -> Response:
    """A learner's progress tab (``student_id``: the learner's user id), for course staff."""
    user = requesting_user()
    overview = _course(course_id)
    if not is_course_staff(user, overview.id):
        raise detail_error(403, "You do not have permission to perform this action.")
    if not student_id.isascii() or not student_id.isdigit() or len(student_id) > 18:
        raise detail_error(404, "Not found.")
    student = db.session().get(User, int(student_id))
    enrollment = get_enrollment(student.id, overview.id) if student is not None else None
    if student is None or enrollment is None:
        raise detail_error(404, "Not found.")
    return _progress(overview.id, student, enrollment.mode if enrollment.is_active else None)


# -- dates ---------------------------------------------------------------------------------------------------


@bp.get("/api/course_home/v1/dates/<course_id>")
@bp.get("/api/course_home/dates/<course_id>")
@course_home_api.doc(resp={200: Dates, 401: NotEnrolled, 404: Detail})
def dates(course_id: str) -> Response:
    """The dates tab of the learning MFE."""
    user = requesting_user()
    overview = _course(course_id)
    _enrolled_or_staff(user, overview.id)
    now = utcnow()
    items = course_dates_for(user, overview.id, now=now) or []
    return json_answer({
        "course_date_blocks": [date_block(item) for item in items],
        "dates_banner_info": dates_banner(),
        "has_ended": bool(overview.end is not None and overview.end < now),
        "learner_is_full_access": True,
        "user_timezone": select_timezone(),
    })
