"""Pages of the LMS area ``course_home``: the course outline, Updates & handouts, the Dates tab,
PDF textbooks, custom pages (static tabs) and the in-course search page.

Each page needs the courseware access of :func:`kampus_lms.courseware.api.course_access`: a
visitor goes to the login page, a learner who is not enrolled to the about page (with the
reason flashed); an unknown or unpublished course is a 404.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from kampus_content.api import CourseNotFound, Structure, VersionNotFound, get_structure

from kampus.db import utcnow
from kampus.rendering.dates import user_timezone
from kampus_lms.catalog.api import course_overview
from kampus_lms.course_home.api import (
    MAX_DAYS_PER_WEEK,
    course_goal,
    course_page_context,
    record_activity,
    save_course_goal,
    unsubscribe_from_goal_reminders,
)
from kampus_lms.course_home.course_dates import course_dates
from kampus_lms.course_home.goal_reminders import read_unsubscribe_token
from kampus_lms.course_home.goals import GOAL_CHOICES, turn_goal_off, weekly_goal
from kampus_lms.course_home.info import course_info, static_tab_html
from kampus_lms.course_home.outline import build_outline
from kampus_lms.course_home.tabs import static_tabs
from kampus_lms.course_home.textbooks import textbook
from kampus_lms.course_home.welcome import dismiss_welcome, welcome_update
from kampus_lms.courseware.api import CourseAccess, checked_course_access, jump_to_url
from kampus_lms.search.api import SearchAccessError, search_course_content

STATIC = Path(__file__).resolve().parent.parent / "static" / "lms" / "course_home"
#: Results per page of the in-course search page.
SEARCH_PAGE_SIZE = 20
bp = Blueprint("lms_course_home", __name__, static_folder=str(STATIC), static_url_path="/static/lms/course_home")


def _open(course_id: str) -> tuple[Structure, Any] | Any:
    """The published structure when the current user may see the course's pages, else a response."""
    access = checked_course_access(course_id)
    if not isinstance(access, CourseAccess):
        return access
    try:
        structure = get_structure(course_id)
    except (CourseNotFound, VersionNotFound):
        abort(404)
    return structure, access


@bp.get("/courses/<course_id>/course/")
def outline(course_id: str) -> Any:
    opened = _open(course_id)
    if not isinstance(opened, tuple):
        return opened
    structure, access = opened
    user = current_user._get_current_object()
    info = course_info(structure)
    learner_id = user.id if user.is_authenticated else None
    if access.is_enrolled:
        record_activity(user.id, course_id)
    return render_template(
        "lms/course_home/outline.html", **course_page_context(course_id, "courseware"),
        outline=build_outline(user, course_id, structure), welcome=welcome_update(learner_id, course_id, info.updates),
        handouts=info.handouts,
        info_url=url_for(".info", course_id=course_id) if info.updates or info.handouts else None,
        goal=weekly_goal(user.id, course_id) if access.is_enrolled else None,
        goal_choices=GOAL_CHOICES,
    )


@bp.post("/courses/<course_id>/course/goal")
def set_goal(course_id: str) -> Any:
    """Set the learner's weekly goal from the outline's form (days a week, reminders); the same record as
    the course home API's ``save_course_goal``. Only an enrolled learner has a goal."""
    opened = _open(course_id)
    if not isinstance(opened, tuple):
        return opened
    _structure, access = opened
    if not access.is_enrolled:
        abort(403)
    days = request.form.get("days_per_week", "").strip()
    if not (days.isascii() and days.isdigit() and 0 <= int(days) <= MAX_DAYS_PER_WEEK):
        flash(_("Choose how many days a week you mean to study."), "danger")
        return redirect(url_for(".outline", course_id=course_id) + "#lms-goal", 303)
    if int(days):
        save_course_goal(current_user.id, course_id, request.form.get("subscribed_to_reminders") == "1", int(days))
        flash(_("Your weekly goal is saved."), "success")
    else:
        turn_goal_off(current_user.id, course_id)
        flash(_("Your weekly goal is off."), "success")
    return redirect(url_for(".outline", course_id=course_id) + "#lms-goal", 303)


@bp.route("/goal-unsubscribe/<token>", methods=["GET", "POST"])
def goal_unsubscribe(token: str) -> Any:
    """A goal reminder's unsubscribe link (the learning MFE's path): GET asks to confirm, POST turns the
    reminders of that course off (also the mail clients' one-click POST). The signed token is the proof."""
    found = read_unsubscribe_token(token)
    if found is None or course_goal(*found) is None:  # forged, or a learner with no goal in that course
        return render_template("lms/course_home/goal_unsubscribe.html", invalid=True), 404
    overview = course_overview(found[1])
    course_name = overview.display_name if overview is not None else found[1]
    if request.method == "POST":
        if unsubscribe_from_goal_reminders(token) is None:
            return render_template("lms/course_home/goal_unsubscribe.html", invalid=True), 404
        if request.form.get("List-Unsubscribe") == "One-Click":
            return Response(_("You are unsubscribed."), mimetype="text/plain")
        return render_template("lms/course_home/goal_unsubscribe.html", done=True, course_name=course_name)
    return render_template("lms/course_home/goal_unsubscribe.html", course_name=course_name)


goal_unsubscribe.kampus_csrf_exempt = True  # type: ignore[attr-defined]


@bp.post("/courses/<course_id>/course/dismiss_welcome")
def dismiss_welcome_message(course_id: str) -> Any:
    """Hide the welcome message (the newest update) from the learner's outline until a newer or edited one;
    the same record as the course home API's ``dismiss_welcome_message``."""
    opened = _open(course_id)
    if not isinstance(opened, tuple):
        return opened
    structure, _access = opened
    dismiss_welcome(current_user.id, course_id, course_info(structure).updates)
    return redirect(url_for(".outline", course_id=course_id), 303)


@bp.get("/courses/<course_id>/info")
def info(course_id: str) -> Any:
    opened = _open(course_id)
    if not isinstance(opened, tuple):
        return opened
    structure, _access = opened
    details = course_info(structure)
    return render_template("lms/course_home/info.html", **course_page_context(course_id, "info"),
                           updates=details.updates, handouts=details.handouts)


@bp.get("/courses/<course_id>/dates")
def dates(course_id: str) -> Any:
    opened = _open(course_id)
    if not isinstance(opened, tuple):
        return opened
    structure, _access = opened
    now = utcnow()
    overview = course_overview(course_id)
    if overview is None:
        abort(404)
    outline_data = build_outline(current_user._get_current_object(), course_id, structure, now=now)
    return render_template("lms/course_home/dates.html", **course_page_context(course_id, "dates"),
                           items=course_dates(overview, outline_data, structure, now), now=now,
                           user_time_zone=str(user_timezone()))


@bp.get("/courses/<course_id>/search")
def search(course_id: str) -> Any:
    opened = _open(course_id)
    if not isinstance(opened, tuple):
        return opened
    query = " ".join(request.args.get("q", "").split())[:200]
    page = request.args.get("page", "1")
    number = int(page) if page.isdigit() and 0 < int(page) <= 1000 else 1
    result = None
    if query:
        try:
            result = search_course_content(course_id, query, user=current_user._get_current_object(),
                                           page=number, page_size=SEARCH_PAGE_SIZE)
        except SearchAccessError as error:
            abort(error.status, error.message)
    return render_template("lms/course_home/search.html", **course_page_context(course_id, "courseware"),
                           query=query, result=result,
                           links={hit.usage_id: jump_to_url(course_id, hit.usage_id) for hit in result.hits}
                           if result else {})


@bp.get("/courses/<course_id>/pdfbook/<int:book_index>/")
@bp.get("/courses/<course_id>/pdfbook/<int:book_index>/chapter/<int:chapter>/")
@bp.get("/courses/<course_id>/pdfbook/<int:book_index>/chapter/<int:chapter>/<int:page>")
def pdf_book(course_id: str, book_index: int, chapter: int = 1, page: int | None = None) -> Any:
    """A PDF textbook (Open edX's ``staticbook.views.pdf_index``): its chapters, and chapter ``chapter``
    (from 1) in the browser's PDF viewer, at ``page`` when given."""
    opened = _open(course_id)
    if not isinstance(opened, tuple):
        return opened
    structure, _access = opened
    if not current_user.is_authenticated:
        abort(404)
    book = textbook(course_id, structure, book_index)
    if book is None or not 1 <= chapter <= len(book.chapters):
        abort(404)
    shown = book.chapters[chapter - 1]
    return render_template("lms/course_home/pdf_book.html", **course_page_context(course_id, book.tab_id),
                           book=book, chapter=chapter, shown=shown,
                           viewer_url=shown.url + (f"#page={page}" if page else ""))


@bp.get("/courses/<course_id>/<url_slug>")
def static_tab(course_id: str, url_slug: str) -> Any:
    opened = _open(course_id)
    if not isinstance(opened, tuple):
        return opened
    structure, access = opened
    page = next((tab for tab in static_tabs(structure) if tab.url_slug == url_slug), None)
    if page is None or page.is_hidden or (page.staff_only and not access.is_staff):
        abort(404)
    html = static_tab_html(structure, url_slug)
    if html is None:
        abort(404)
    return render_template("lms/course_home/static_tab.html",
                           **course_page_context(course_id, f"static_tab_{url_slug}"), page=page, html=html)
