"""The learning MFE's course home API (Open edX's ``lms/djangoapps/course_home_api``): outline, progress and
dates, at ``/api/course_home/v1/...`` and at the newer unversioned paths ``/api/course_home/...``.

* ``GET .../outline/<course_id>`` (``OutlineTabView``): ``course_blocks`` (``{"blocks": {id: {"children",
  "complete", "description", "display_name", "due", "effort_activities", "effort_time", "icon", "id",
  "lms_web_url", "resume_block", "type", "has_scheduled_content"}}}``: the course, its sections and
  subsections the user may see; ``null`` for a user who may not open the course), ``resume_course``,
  ``dates_widget``, ``enroll_alert``, ``enrollment_mode``, ``handouts_html``, ``welcome_message_html``,
  ``cert_data``, ``has_ended``, ``user_has_passing_grade``, ``course_goals`` (the learner's weekly goal,
  enabled for enrolled learners), ``course_tools`` (Open edX's Bookmarks and Updates tools), and Open
  edX's answers where Kampus has no such feature: ``access_expiration`` ``null`` (no course duration
  limits), ``offer`` ``null`` (no upgrade discounts), ``verified_mode`` ``null`` (no paid upgrade).
* ``POST .../save_course_goal`` (``save_course_goal``): ``{"course_id", "days_per_week",
  "subscribed_to_reminders"}`` sets the learner's weekly goal.
* ``POST .../dismiss_welcome_message`` (``dismiss_welcome_message``): ``{"course_id"}`` hides the current
  welcome message (the newest update) from the learner's outline until a newer update.
* ``GET .../course_metadata/<course_id>`` (``CourseHomeMetadataView``): what every course home page needs:
  ``course_access`` (Open edX's load access: started, signed in, enrolled; staff always), ``tabs``,
  ``is_enrolled``, ``is_staff``, ``original_user_is_staff``, ``can_view_certificate``, ``celebrations``
  (none in Kampus), ``verified_mode`` ``null``.
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

from flask import Blueprint, current_app, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from kampus_content.api import CourseNotFound, VersionNotFound, get_structure, release_info
from kampus_content.api import grading_policy as course_grading_policy
from pydantic import BaseModel, Field, RootModel
from werkzeug.wrappers import Response

from kampus import db
from kampus.api_docs import ApiSection
from kampus.db import utcnow
from kampus.identity.models import User
from kampus.rendering.dates import select_timezone
from kampus_lms.catalog.api import course_overview
from kampus_lms.certificates.api import CertificateInfo, CertificateStatuses, certificate_status, certificates_viewable
from kampus_lms.course_home.api import (
    MAX_DAYS_PER_WEEK,
    CourseOutline,
    DateItem,
    course_dates_for,
    course_goal,
    course_handouts,
    course_tabs,
    course_updates,
    dismiss_welcome,
    outline_for,
    record_activity,
    save_course_goal,
    unsubscribe_from_goal_reminders,
    welcome_update,
)
from kampus_lms.courseware.api import course_access, jump_to_url, masquerade_groups, resume_block, viewed_as
from kampus_lms.enrollment.api import EnrollmentError, enrollment_refusal, get_enrollment
from kampus_lms.grades.api import NoGrades, ProgressPage, progress_for, stored_learner_grades
from kampus_lms.rest.common import (
    RestError,
    absolute,
    access_json,
    course_key_or_none,
    detail_error,
    drf_datetime,
    install_error_handler,
    is_course_staff,
    json_answer,
    not_started,
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


class CourseTool(BaseModel):
    """``CourseToolSerializer``."""

    analytics_id: str
    title: str
    url: str


class SelectedGoal(BaseModel):
    days_per_week: int
    subscribed_to_reminders: bool


class CourseGoals(BaseModel):
    """``CourseGoalsSerializer``."""

    selected_goal: SelectedGoal | None
    weekly_learning_goal_enabled: bool


class EnrollAlert(BaseModel):
    can_enroll: bool
    extra_text: str | None


class ResumeCourse(BaseModel):
    has_visited_course: bool
    url: str | None


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
    course_goals: CourseGoals
    course_tools: list[CourseTool]
    dates_banner_info: DatesBanner
    dates_widget: DatesWidget
    enroll_alert: EnrollAlert
    enrollment_mode: str | None
    enable_proctored_exams: bool
    handouts_html: str | None
    has_ended: bool
    offer: dict[str, Any] | None
    resume_course: ResumeCourse
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


def has_scheduled_content(course_id: str) -> bool:
    """Open edX's ``has_scheduled_content`` (its ``StartDateTransformer``): some block of the published course
    is released later (its effective start is in the future)."""
    try:
        structure = get_structure(course_id)
    except (CourseNotFound, VersionNotFound):
        return False
    now = utcnow()
    return any(start is not None and start > now for start in release_info(structure).starts.values())


def course_blocks(outline: CourseOutline, overview: Any, resume_unit: str | None) -> dict[str, Any]:
    """``CourseBlockSerializer``: the course, its sections and subsections (not below, as Open edX)."""
    course_id = outline.course_id
    root = str(course_key_or_none(course_id).make_usage_key("course", "course"))  # type: ignore[union-attr]
    blocks: dict[str, Any] = {}

    def block(usage_id: str, kind: str, name: str, children: list[str], complete: bool, *,
              description: str | None = None, due: Any = None, icon: str | None = None,
              resume: bool = False, scheduled: bool | None = None) -> None:
        blocks[usage_id] = {
            "children": children, "complete": complete, "description": description, "display_name": name,
            "due": drf_datetime(due), "effort_activities": None, "effort_time": None, "icon": icon,
            "id": usage_id, "lms_web_url": absolute(jump_to_url(course_id, usage_id)), "resume_block": resume,
            "type": kind, "has_scheduled_content": scheduled,  # set on the course block only, as Open edX
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
          outline.progress.complete, scheduled=has_scheduled_content(course_id))
    return {"blocks": blocks}


def course_tools(course_id: str, *, enrolled: bool, staff: bool, has_updates: bool) -> list[dict[str, Any]]:
    """``CourseToolSerializer`` of the tools Open edX's ``CourseToolsPluginManager`` enables, by title: Bookmarks
    (``CourseBookmarksTool``: enrolled learners and staff; Open edX links its per-course bookmarks page, Kampus
    its one bookmarks page) and Updates (``CourseUpdatesTool``: enrolled learners of a course with updates, not
    staff who are not enrolled; the Updates & handouts page). ``enrolled`` and ``staff`` are those of whom
    the user views the course as."""
    tools = []
    if enrolled or staff:
        tools.append({"analytics_id": "edx.bookmarks", "title": _("Bookmarks"),
                      "url": absolute(url_for("lms_courseware.bookmarks_page"))})
    if enrolled and has_updates:
        tools.append({"analytics_id": "edx.updates", "title": _("Updates"),
                      "url": absolute(url_for("lms_course_home.info", course_id=course_id))})
    return tools


def enroll_alert(user: Any, overview: Any, *, enrolled: bool, now: Any) -> dict[str, Any]:
    """``EnrollAlertSerializer`` as Open edX fills it: ``can_enroll`` true unless a learner who is not enrolled
    may not enroll now (enrollment closed or by invitation only; a full course adds ``extra_text``). A
    visitor is told whether the course takes enrollments (they sign in first)."""
    if enrolled:
        return {"can_enroll": True, "extra_text": None}
    if not getattr(user, "is_authenticated", False):
        return {"can_enroll": bool(not overview.invitation_only and overview.is_enrollment_open(now)),
                "extra_text": None}
    refusal: EnrollmentError | None = enrollment_refusal(user, overview.id, now=now)
    if refusal is None:
        return {"can_enroll": True, "extra_text": None}
    return {"can_enroll": False, "extra_text": _("Course is full") if refusal.code == "full" else None}


def dates_widget(items: list[DateItem] | None, course_id: str, now: Any) -> dict[str, Any]:
    """``DatesWidgetSerializer``: Open edX's ``get_course_date_blocks(num_assignments=1)`` without today's date:
    the dates from today on, with the first upcoming assignment only. "From today" is by day, as Open edX's
    ``DateSummary.is_enabled`` (``current_time.date() <= date.date()``): an assignment due earlier today is
    still listed."""
    today = now.date()
    blocks: list[dict[str, Any]] = []
    assignment_seen = False
    for item in items or []:
        if item.kind == "todays-date" or item.date.date() < today:
            continue
        if item.kind == "assignment-due-date":
            if assignment_seen:
                continue
            assignment_seen = True
        blocks.append(date_block(item))
    return {"course_date_blocks": blocks, "dates_tab_link": absolute(f"/courses/{course_id}/dates"),
            "user_timezone": select_timezone()}


def _outline(course_id: str) -> Response:
    overview = _course(course_id)
    course_id = overview.id
    user = current_user._get_current_object()
    authenticated = bool(getattr(user, "is_authenticated", False))
    access = course_access(user, course_id)
    can_view = bool(access is not None and access.can_view_courseware)
    # as Open edX's ``setup_masquerade``: the learner's data are those of whom staff view the course as
    viewer, staff = viewed_as(user, course_id) if authenticated else (user, False)
    enrollment = get_enrollment(viewer.id, course_id) if authenticated else None
    enrolled = enrollment is not None and enrollment.is_active
    now = utcnow()
    outline = outline_for(user, course_id, now=now) if can_view else None
    resume_unit = resume_block(viewer.id, course_id) if authenticated and can_view else None
    certificate = certificate_status(viewer.id, course_id) if enrolled else None
    updates = course_updates(course_id) if can_view else []
    goal = course_goal(viewer.id, course_id) if enrolled else None
    # Open edX reads the learner's persisted grade (``CourseGradeFactory().read``), certificate or not.
    grade = stored_learner_grades(viewer.id, [course_id]).get(course_id) if authenticated else None
    return json_answer({
        "access_expiration": None,  # Open edX's answer without course duration limits (Kampus has none)
        "cert_data": cert_data(certificate),
        "course_blocks": course_blocks(outline, overview, resume_unit) if outline is not None else None,
        "course_goals": {"selected_goal": goal.__dict__ if goal is not None else None,
                         "weekly_learning_goal_enabled": enrolled},
        "course_tools": course_tools(course_id, enrolled=enrolled, staff=staff, has_updates=bool(updates)),
        "dates_banner_info": dates_banner(),
        "dates_widget": dates_widget(course_dates_for(user, course_id, now=now) if can_view else None, course_id,
                                     now),
        "enroll_alert": enroll_alert(viewer, overview, enrolled=enrolled, now=now),
        "enrollment_mode": enrollment.mode if enrolled and enrollment is not None else None,
        "enable_proctored_exams": False,
        "handouts_html": course_handouts(course_id) if can_view else None,
        "has_ended": bool(overview.end is not None and overview.end < now),
        "offer": None,  # Open edX's answer without an upgrade discount (Kampus sells no upgrades)
        "resume_course": {"has_visited_course": bool(outline is not None and outline.has_visited),
                          "url": absolute(outline.resume_url) if outline is not None and outline.resume_url
                          else None},
        "welcome_message_html": welcome.content if (welcome := welcome_update(
            viewer.id if authenticated else None, course_id, updates)) is not None else None,
        "user_has_passing_grade": bool(grade is not None and grade["passed"]),
        "verified_mode": None,  # no paid upgrade to offer
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


#: Studio's grading settings page (Open edX's ``get_studio_url(course, "settings/grading")``), named, not imported:
#: the LMS links to it when this app runs the studio plugin.
STUDIO_GRADING_ENDPOINT = "studio_settings.grading_page"


def _studio_grading_url(course_id: str) -> str | None:
    if STUDIO_GRADING_ENDPOINT not in current_app.view_functions:
        return None
    return absolute(url_for(STUDIO_GRADING_ENDPOINT, course_id=course_id))


def _progress(course_id: str, student: Any, mode: str | None, *, as_viewed: bool = False,
              groups: dict[int, int] | None = None) -> Response:
    overview = _course(course_id)
    try:
        page = progress_for(student, overview.id, staff_view=False, as_viewed=as_viewed, groups=groups)
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
        "has_scheduled_content": has_scheduled_content(overview.id),
        "section_scores": section_scores(page),
        "studio_url": _studio_grading_url(overview.id),
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
    # as Open edX's (``setup_masquerade``): staff viewing the course as a specific learner get that learner's
    # progress; as a learner (of a content group, or of none), their own answers under that learner's rules
    student, staff_view = viewed_as(user, overview.id)
    if student.id != user.id:
        learner_enrollment = get_enrollment(student.id, overview.id)
        return _progress(overview.id, student, learner_enrollment.mode if learner_enrollment is not None
                         and learner_enrollment.is_active else None)
    groups = masquerade_groups(user, overview.id) if not staff_view else None
    mode = enrollment.mode if enrollment is not None and enrollment.is_active else None
    return _progress(overview.id, user, mode, as_viewed=groups is not None, groups=groups)


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


# -- course goals --------------------------------------------------------------------------------------------


class GoalIn(BaseModel):
    """The body of ``save_course_goal`` (JSON, or a form)."""

    course_id: str
    days_per_week: int | None = Field(None, ge=0, le=MAX_DAYS_PER_WEEK,
                                      description="Days a week the learner means to study (the MFE offers 1, 3, 5); "
                                                  "0 or none keeps the current goal's days.")
    subscribed_to_reminders: bool = Field(description="Whether the learner wants a reminder e-mail in a week "
                                                      "when the goal is about to be missed.")


class GoalSaved(BaseModel):
    header: str
    message: str


def _goal_values(data: dict[str, Any]) -> tuple[bool, int | None] | None:
    """``subscribed_to_reminders`` (a JSON boolean, or ``true``/``false``/``1``/``0`` in a form) and
    ``days_per_week`` (a whole number within 0..7, or nothing) of the body; ``None`` when either is not."""
    subscribed: Any = data.get("subscribed_to_reminders")
    if isinstance(subscribed, str) and subscribed.strip().lower() in ("true", "1", "false", "0"):
        subscribed = subscribed.strip().lower() in ("true", "1")
    days: Any = data.get("days_per_week")
    if isinstance(days, str) and days.strip().isascii() and days.strip().isdigit() and len(days.strip()) <= 3:
        days = int(days)
    if days == "":
        days = None
    if not isinstance(subscribed, bool) or isinstance(days, bool) \
            or not (days is None or (isinstance(days, int) and 0 <= days <= MAX_DAYS_PER_WEEK)):
        return None
    return subscribed, days


@bp.post("/api/course_home/v1/save_course_goal")
@bp.post("/api/course_home/save_course_goal")
@course_home_api.doc(json=GoalIn, resp={200: GoalSaved, 400: Detail, 401: Detail}, validate=False)
def save_goal() -> Response:
    """Set the requesting learner's weekly goal in a course (Open edX's ``save_course_goal``): 400 with DRF's
    ``detail`` when ``course_id`` or ``subscribed_to_reminders`` is missing (``'course_id' is required.``) or
    the goal cannot be saved (a course that is not published, days outside 0..7: ``Unable to save course
    goal``)."""
    user = requesting_user()
    data = request.get_json(silent=True) if request.is_json else request.form.to_dict()
    data = data if isinstance(data, dict) else {}
    raw_course = data.get("course_id")
    if not raw_course:
        raise detail_error(400, "'course_id' is required.")
    if data.get("subscribed_to_reminders") is None:
        raise detail_error(400, "'subscribed_to_reminders' is required.")
    key = course_key_or_none(raw_course) if isinstance(raw_course, str) else None
    values = _goal_values(data)
    if key is None or values is None or course_overview(str(key)) is None:
        raise detail_error(400, "Unable to save course goal")
    save_course_goal(user.id, str(key), *values)
    return json_answer({"header": _("Your course goal has been successfully set."),
                        "message": _("Course goal updated successfully.")})


class GoalUnsubscribed(BaseModel):
    course_title: str


@bp.post("/api/course_home/v1/unsubscribe_from_course_goal/<token>")
@bp.post("/api/course_home/unsubscribe_from_course_goal/<token>")
@course_home_api.doc(resp={200: GoalUnsubscribed, 404: Detail})
def unsubscribe_from_goal(token: str) -> Response:
    """Turn off the goal reminders a reminder e-mail's token names (Open edX's
    ``unsubscribe_from_course_goal_by_token``): no authentication, the token is the proof; only
    unsubscribes and answers only the course's title. 404 for a forged or unknown token."""
    course_id = unsubscribe_from_goal_reminders(token)
    if course_id is None:
        raise detail_error(404, "Not found.")
    overview = course_overview(course_id)
    return json_answer({"course_title": overview.display_name if overview is not None else course_id})


unsubscribe_from_goal.kampus_csrf_exempt = True  # type: ignore[attr-defined]


# -- welcome message -----------------------------------------------------------------------------------------


class DismissIn(BaseModel):
    course_id: str


class Dismissed(BaseModel):
    message: str


@bp.post("/api/course_home/v1/dismiss_welcome_message")
@bp.post("/api/course_home/dismiss_welcome_message")
@course_home_api.doc(json=DismissIn, resp={200: Dismissed, 400: Detail, 401: Detail}, validate=False)
def dismiss_welcome_message() -> Response:
    """Hide the course's current welcome message from the requesting learner (Open edX's
    ``dismiss_welcome_message``): 400 with DRF's ``detail`` without ``course_id`` (``'course_id' is
    required.``), with other fields (``Only 'course_id' is expected.``), or for a course the learner is
    neither enrolled in nor staff of (``Unable to dismiss welcome message.``)."""
    user = requesting_user()
    data = request.get_json(silent=True) if request.is_json else request.form.to_dict()
    data = data if isinstance(data, dict) else {}
    raw_course = data.get("course_id")
    if not raw_course:
        raise detail_error(400, "'course_id' is required.")
    if len(data) > 1:
        raise detail_error(400, "Only 'course_id' is expected.")
    key = course_key_or_none(raw_course) if isinstance(raw_course, str) else None
    course_id = str(key) if key is not None else ""
    enrollment = get_enrollment(user.id, course_id) if key is not None and course_overview(course_id) else None
    if not (enrollment is not None and enrollment.is_active) and not (key is not None and
                                                                      is_course_staff(user, course_id)):
        raise detail_error(400, "Unable to dismiss welcome message.")
    dismiss_welcome(user.id, course_id, course_updates(course_id))
    return json_answer({"message": _("Welcome message successfully dismissed.")})


# -- course metadata -----------------------------------------------------------------------------------------


class CourseTabOut(BaseModel):
    """``CourseTabSerializer``."""

    tab_id: str
    title: str
    url: str


class CourseMetadata(BaseModel):
    """``CourseHomeMetadataSerializer``."""

    celebrations: dict[str, Any]
    course_access: dict[str, Any]
    course_id: str
    is_enrolled: bool
    is_self_paced: bool
    is_staff: bool
    number: str
    org: str
    original_user_is_staff: bool
    start: str | None
    tabs: list[CourseTabOut]
    title: str
    username: str | None
    user_timezone: str | None
    can_view_certificate: bool
    verified_mode: dict[str, Any] | None


def load_access(access: Any, overview: Any) -> dict[str, Any]:
    """Open edX's ``check_course_access(course, user, 'load', check_if_enrolled=True,
    check_if_authenticated=True).to_json()``: staff always; else the course must have started, the user be
    signed in and enrolled."""
    if access is not None and (access.is_staff or access.can_view_courseware):
        return access_json()
    if access is not None and not access.has_started and access.start is not None:
        return not_started(access.start)
    if access is None or not access.is_authenticated:
        return access_json("authentication_required", "User must be authenticated to view the course",
                           _("You must be logged in to see this course"))
    return access_json("enrollment_required", "User must be enrolled in the course",
                       _("You must be enrolled in the course"))


@bp.get("/api/course_home/v1/course_metadata/<course_id>")
@bp.get("/api/course_home/course_metadata/<course_id>")
@course_home_api.doc(resp={200: CourseMetadata, 404: Detail})
def course_metadata(course_id: str) -> Response:
    """What every page of the learning MFE's course home needs (Open edX's ``CourseHomeMetadataView``): the
    course, the user's access, enrollment and role, the tabs they see."""
    overview = _course(course_id)
    course_id = overview.id
    user = current_user._get_current_object()
    authenticated = bool(getattr(user, "is_authenticated", False))
    access = course_access(user, course_id)  # before the masquerade, as Open edX's load access
    staff = authenticated and is_course_staff(user, course_id)
    # as Open edX's ``setup_masquerade``: the role, enrollment and name are those of whom staff view the course as
    viewer, staff_view = viewed_as(user, course_id) if authenticated else (user, False)
    enrollment = get_enrollment(viewer.id, course_id) if authenticated else None
    if enrollment is not None and enrollment.is_active and viewer.id == user.id:
        record_activity(user.id, course_id)  # as Open edX's: every tab of the learning MFE asks this (UserActivity)
    return json_answer({
        # Open edX's celebrations (first section, streaks, weekly goal): Kampus shows none.
        "celebrations": {"first_section": False, "streak_length_to_celebrate": None,
                         "streak_discount_enabled": False, "weekly_goal": False},
        "course_access": load_access(access, overview),
        "course_id": course_id,
        "is_enrolled": bool(enrollment is not None and enrollment.is_active),
        "is_self_paced": bool(overview.self_paced),
        "is_staff": staff_view,
        "number": overview.display_number,
        "org": overview.display_org,
        "original_user_is_staff": staff,
        "start": drf_datetime(overview.start),
        "tabs": [{"tab_id": tab.id, "title": tab.name, "url": absolute(tab.url)}
                 for tab in course_tabs(course_id, user)],
        "title": overview.display_name,
        "username": viewer.username if authenticated else None,
        "user_timezone": select_timezone(),
        "can_view_certificate": certificates_viewable(overview),
        "verified_mode": None,  # no paid upgrade to offer
    })
