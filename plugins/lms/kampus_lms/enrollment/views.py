"""Pages of enrollment: enroll (``/courses/<course_id>/enroll``) and unenroll (``/courses/<course_id>/unenroll``).

``POST /courses/<course_id>/enroll`` (form: CSRF token, optional ``mode``) enrolls the logged-in user and
redirects to the course home; a refusal goes back to the about page with the reason flashed. A visitor is
sent to log in, then back to ``GET /courses/<course_id>/enroll``: a page with the same button, since a
login cannot replay a POST. ``POST /courses/<course_id>/unenroll`` deactivates the enrollment (the dashboard
asks for confirmation first) and returns to the dashboard.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from kampus_lms.catalog.api import about_url, course_overview
from kampus_lms.enrollment.api import (
    EnrollmentError,
    course_modes,
    default_mode_slug,
    enroll,
    get_enrollment,
    unenroll,
)

bp = Blueprint("lms_enrollment", __name__)

#: Longest mode slug a form may send.
MODE_MAX_CHARS = 100


def course_home_url(course_id: str) -> str:
    """The course home (outline): ``/courses/<course_id>/course/``."""
    return f"/courses/{quote(course_id, safe=':+@')}/course/"


def enroll_url(course_id: str) -> str:
    """Where the enroll form posts (and a visitor comes back to after logging in)."""
    return f"/courses/{quote(course_id, safe=':+@')}/enroll"


def unenroll_url(course_id: str) -> str:
    """Where the unenroll form posts."""
    return f"/courses/{quote(course_id, safe=':+@')}/unenroll"


@bp.route("/courses/<course_id>/enroll", methods=["GET", "POST"])
def enroll_view(course_id: str) -> Response | str:
    overview = course_overview(course_id)
    if overview is None:
        abort(404, _("There is no such course."))
    if not current_user.is_authenticated:
        flash(_("Log in or register to enroll in %(course)s.", course=overview.display_name), "info")
        return redirect(url_for("identity.login", next=enroll_url(course_id)), 303)
    enrollment = get_enrollment(current_user.id, course_id)
    if request.method == "GET":
        if enrollment is not None and enrollment.is_active:
            return redirect(course_home_url(course_id), 303)
        modes = [mode for mode in course_modes(course_id) if mode.is_free]
        return render_template("lms/enrollment/enroll.html", overview=overview, modes=modes,
                               default_mode=default_mode_slug(modes) if modes else "",
                               enroll_url=enroll_url(course_id), about_url=about_url(course_id))
    mode = request.form.get("mode", "").strip() or None
    if mode is not None and len(mode) > MODE_MAX_CHARS:
        abort(400, _("Choose one of the course's tracks."))
    was_active = enrollment is not None and enrollment.is_active
    try:
        enroll(current_user, course_id, mode)
    except EnrollmentError as exc:
        flash(exc.message, "danger")
        return redirect(about_url(course_id), 303)
    if not was_active:
        flash(_("You are enrolled in %(course)s.", course=overview.display_name), "success")
    return redirect(course_home_url(course_id), 303)


@bp.post("/courses/<course_id>/unenroll")
@login_required
def unenroll_view(course_id: str) -> Response:
    overview = course_overview(course_id)
    name = overview.display_name if overview is not None else course_id
    if unenroll(current_user, course_id):
        flash(_("You are unenrolled from %(course)s.", course=name), "success")
    else:
        flash(_("You were not enrolled in %(course)s.", course=name), "info")
    return redirect(url_for("lms_dashboard.dashboard"), 303)
