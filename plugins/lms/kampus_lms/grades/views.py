"""Pages of the LMS area ``grades``: the progress page, a learner's own and (for course staff) anyone's.

* ``/courses/<course_id>/progress``: the current user's progress, or, when a staff member
  masquerades, the progress of whom they view the course as (:func:`kampus_lms.courseware.api.viewed_as`);
* ``/courses/<course_id>/progress/<student_id>/``: a learner's progress, for course staff (Open edX's
  ``student_progress``); 404 for a user who is not enrolled nor has a grade in the course.

Access is the courseware's: a visitor goes to the login page, a learner who may not view the
courseware to the about page; an unknown or unpublished course is a 404.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import numbers as babel_numbers
from flask import Blueprint, abort, g, redirect, render_template, url_for
from flask_babel import get_locale, get_translations
from flask_login import current_user
from markupsafe import Markup

from kampus import db
from kampus.identity.models import User
from kampus_lms.course_home.api import course_page_context, record_activity
from kampus_lms.courseware.api import CourseAccess, checked_course_access, masquerade_groups, viewed_as
from kampus_lms.enrollment.api import get_enrollment
from kampus_lms.grades.progress import ProgressPage, progress_for
from kampus_lms.grades.service import NoGrades

STATIC = Path(__file__).resolve().parent.parent / "static" / "lms" / "grades"
bp = Blueprint("lms_grades", __name__, static_folder=str(STATIC), static_url_path="/static/lms/grades")


@bp.app_template_filter("grade_points")
def grade_points(value: float) -> str:
    """Points as the user's locale writes them, with at most two decimals ("2", "1.5", "0.33")."""
    return _formatted(round(float(value), 2), "#,##0.##", _locale_name())


@bp.app_template_filter("grade_percent")
def grade_percent(value: float) -> str:
    """A fraction as a whole percent in the user's locale ("85%")."""
    return _formatted(round(float(value) * 100) / 100, "#,##0%", _locale_name())


@bp.app_template_filter("score_points")
def score_points(scores: Any) -> list[str]:
    """Each of a subsection's problem scores as ``earned/possible`` points: one call for every problem of
    the subsection (a course has hundreds; a call each cost more than the formatting)."""
    locale = _locale_name()
    # Babel's digits, signs and separators: nothing to escape (marked safe: a course shows hundreds)
    return [Markup(f"{_formatted(round(float(score.earned), 2), '#,##0.##', locale)}/"
                   f"{_formatted(round(float(score.possible), 2), '#,##0.##', locale)}") for score in scores]


def _locale_name() -> str:
    name = g.get("_lms_grades_locale")
    if name is None:
        name = g._lms_grades_locale = str(get_locale() or "en")
    return name


@lru_cache(maxsize=4096)
def _formatted(value: float, pattern: str, locale: str) -> str:
    """Babel's formatting of ``value`` (a pure function of its arguments: a progress page formats the
    same few values hundreds of times)."""
    if pattern.endswith("%"):
        return str(babel_numbers.format_percent(value, format=pattern, locale=locale))
    return str(babel_numbers.format_decimal(value, format=pattern, locale=locale))


def subsection_texts(page: ProgressPage) -> dict[str, tuple[str, str]]:
    """Each subsection's score line ("3/4 (75%)") and completion line ("2 of 5 complete"), by usage id, both
    translated strings looked up once: the page shows a hundred subsections, and each placeholder string
    formatted in the template cost about 20 us."""
    translations = get_translations()
    score_format = translations.gettext("%(earned)s/%(possible)s (%(percent)s)")
    completion_format = translations.gettext("%(completed)s of %(possible)s complete")
    texts: dict[str, tuple[str, str]] = {}
    for section in page.sections:
        for row in section.subsections:
            grade, total = row.grade, row.total
            score = ""
            if row.show_scores and total.possible > 0:
                percent = grade.percent_graded if grade.graded else total.earned / total.possible
                score = score_format % {"earned": grade_points(total.earned), "possible": grade_points(total.possible),
                                        "percent": grade_percent(percent)}
            completion = ""
            if row.completion and row.completion.possible:
                completion = completion_format % {"completed": row.completion.completed,
                                                  "possible": row.completion.possible}
            texts[grade.usage_id] = (score, completion)
    return texts


def chart_texts(page: ProgressPage) -> list[tuple[str, float]]:
    """Each bar of the chart as its percent in words ("85%") and its width (0 to 100), once per page: the
    chart and its table both show every bar, and a course has a bar for each assignment."""
    return [(grade_percent(bar.percent), min(bar.percent, 1.0) * 100) for bar in page.bars]


def _render(course_id: str, student: Any, *, staff_view: bool, as_viewed: bool, other: bool) -> Any:
    # staff viewing the course as a learner (of a content group, or of none) are graded on that group's blocks
    groups = masquerade_groups(student, course_id) if as_viewed else None
    try:
        page = progress_for(student, course_id, staff_view=staff_view, as_viewed=as_viewed, groups=groups)
    except NoGrades:
        abort(404)
    return render_template("lms/grades/progress.html", **course_page_context(course_id, "progress"),
                           progress=page, subsection_texts=subsection_texts(page), bar_texts=chart_texts(page),
                           student=student, other_student=other)


@bp.get("/courses/<course_id>/progress")
def progress(course_id: str) -> Any:
    """The progress page of the current user (or of whom a staff member views the course as)."""
    checked = checked_course_access(course_id)
    if not isinstance(checked, CourseAccess):
        return checked
    user = current_user._get_current_object()
    student, staff_view = viewed_as(user, course_id)
    other = getattr(student, "id", None) != user.id
    as_viewed = checked.is_staff and not staff_view and not other
    if not other and checked.is_enrolled:
        record_activity(user.id, course_id)
    return _render(course_id, student, staff_view=staff_view, as_viewed=as_viewed, other=other)


@bp.get("/courses/<course_id>/progress/<int:student_id>/")
def student_progress(course_id: str, student_id: int) -> Any:
    """A learner's progress page, for course staff (a learner may open only their own)."""
    checked = checked_course_access(course_id)
    if not isinstance(checked, CourseAccess):
        return checked
    user = current_user._get_current_object()
    if student_id == user.id:
        return redirect(url_for(".progress", course_id=course_id))
    if not checked.is_staff:
        abort(403)
    student = db.session().get(User, student_id)
    if student is None or get_enrollment(student_id, course_id) is None:
        abort(404)
    return _render(course_id, student, staff_view=False, as_viewed=False, other=True)
