"""The Email section of the dashboard, its endpoints and the learners' unsubscribe page.

Open edX's instructor API at its paths (``lms/djangoapps/instructor/views/api.py``):

* ``POST /courses/<course_id>/instructor/api/send_email``: ``send_to`` (a JSON list of ``myself``,
  ``staff``, ``learners``, ``cohort:<name>``, ``track:<mode>``), ``subject``, ``message`` (HTML, sanitised), optional
  ``schedule`` (ISO 8601, in the future); answers ``{"course_id", "success": true}`` plus Kampus's
  ``email_id`` and ``task_id``;
* ``POST /courses/<course_id>/instructor/api/list_email_content``: the course's sent e-mail, ``{"emails": [...]}``
  with Kampus's delivery counts (sent, failed, skipped, pending).

Kampus's own: ``POST /api/instructor/v1/courses/<course_id>/bulk_email/preview`` (the sanitised HTML)
``DELETE /api/instructor/v1/courses/<course_id>/bulk_email/<email_id>`` (cancel a scheduled e-mail) and
``GET /api/instructor/v1/courses/<course_id>/bulk_email/<email_id>/failures`` (the recipients it could not be
delivered to, and the mail server's answer; also a page of the dashboard), and
``GET``/``PUT /api/instructor/v1/courses/<course_id>/bulk_email/settings`` (``{"email_enabled": bool}``: whether
the course may send e-mail, Open edX's ``is_bulk_email_feature_enabled``; only global staff change it, also
with the Email section's switch).
Learners' links: ``GET /bulk_email/unsubscribe/<token>`` (a page with a button) and ``POST`` on the same
URL (RFC 8058 one-click: mail providers post ``List-Unsubscribe=One-Click``; no CSRF token, the signed
token is the credential).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from kampus_lms.api import course_overview, list_cohorts
from pydantic import BaseModel, Field
from werkzeug.wrappers import Response

from kampus.api_docs import ApiSection
from kampus_instructor.access import is_global_staff, require
from kampus_instructor.bulk_email import service
from kampus_instructor.http import ERRORS, ApiError, check, install_errors, params
from kampus_instructor.pages import render_dashboard_page

PERMISSION = "instructor.bulk_email"
PREFIX = "/courses/<course_id>/instructor/api"

bp = Blueprint("instructor_bulk_email", __name__)
install_errors(bp)
public_bp = Blueprint("instructor_bulk_email_public", __name__)

email_api = ApiSection("instructor: bulk e-mail",
                       "Course e-mail of the instructor dashboard: send now or at a time, history with "
                       "delivery counts.", errors="openedx")


class SendEmailForm(BaseModel):
    send_to: str | list[str] = Field(description='Targets: a JSON list such as ["myself", "staff", "learners", '
                                                 '"cohort:Group A", "track:verified"].')
    subject: str = Field(description="The subject (at most 128 characters).")
    message: str = Field(description="The message, HTML (sanitised: scripts and event handlers are removed).")
    schedule: str | None = Field(None, description="When to send it (ISO 8601, in the future); now when absent.")


class EmailSent(BaseModel):
    course_id: str
    success: bool
    email_id: int
    task_id: str = ""
    status: str


class PreviewForm(BaseModel):
    message: str


class Preview(BaseModel):
    html: str
    text: str


class EmailInfo(BaseModel):
    id: int
    subject: str
    html_message: str
    sent_to: list[str]
    requester: str
    created: str
    status: str
    send_at: str | None = None
    task_id: str
    total: int
    sent: int
    failed: int
    skipped: int
    pending: int
    error: str = ""


class EmailHistory(BaseModel):
    emails: list[EmailInfo]


class FailedRecipientInfo(BaseModel):
    username: str
    email: str
    error: str = Field(description="Why it was not delivered: the mail server's answer, or Kampus's reason.")


class Failures(BaseModel):
    email_id: int
    count: int = Field(description="How many recipients failed (the list holds at most the first 1,000).")
    failures: list[FailedRecipientInfo]


class EmailSettings(BaseModel):
    course_id: str
    email_enabled: bool = Field(description="Whether the course's team may send e-mail now.")


class EmailSettingsForm(BaseModel):
    email_enabled: bool


class Cancelled(BaseModel):
    email_id: int
    status: str


def _email_info(message: Any, counts: service.DeliveryCounts, username: str) -> dict[str, Any]:
    return {"id": message.id, "subject": message.subject, "html_message": message.html_message,
            "sent_to": list(message.targets or []), "requester": username,
            "created": message.created_at.isoformat(), "status": message.status,
            "send_at": message.send_at.isoformat() if message.send_at else None, "task_id": message.task_id,
            "total": counts.total, "sent": counts.sent, "failed": counts.failed, "skipped": counts.skipped,
            "pending": counts.pending, "error": message.error}


@bp.get("/courses/<course_id>/instructor/bulk_email")
def page(course_id: str) -> str:
    """The Email section: compose, preview, send or schedule, and the history."""
    require(PERMISSION, course_id)
    service.dispatch_due()
    studio_editor = "studio_unit.editor_static" in current_app.view_functions
    enabled = service.email_enabled(course_id)
    if not enabled and not is_global_staff(current_user):
        abort(404)
    return render_dashboard_page(
        "instructor/bulk_email/index.html", course_id, "bulk_email", cohorts=list_cohorts(course_id),
        email_enabled=enabled, may_switch=is_global_staff(current_user),
        modes=service.mode_slugs(course_id),
        history=service.history(course_id, limit=50),
        tinymce_url=url_for("studio_unit.editor_static", filename="tinymce.min.js") if studio_editor else "")


@bp.post(f"{PREFIX}/send_email")
@email_api.doc(json=SendEmailForm, validate=False, resp={200: EmailSent, 413: None, **ERRORS})
def send_email(course_id: str) -> Any:
    """Send an e-mail to the course's targets now, or schedule it."""
    user = check(PERMISSION, course_id, published=False)
    data = params()
    try:
        message = service.create_message(course_id, user, data.get("subject"), data.get("message"),
                                         data.get("send_to"), data.get("schedule"))
    except service.BulkEmailError as error:
        raise ApiError(error.status, error.message, error.field) from None
    return {"course_id": course_id, "success": True, "email_id": message.id, "task_id": message.task_id,
            "status": message.status}


@bp.post(f"{PREFIX}/list_email_content")
@email_api.doc(resp={200: EmailHistory, **ERRORS})
def list_email_content(course_id: str) -> Any:
    """The course's e-mail, newest first, with delivery counts."""
    check(PERMISSION, course_id, published=False)
    service.dispatch_due()
    return {"emails": [_email_info(m, c, u) for m, c, u in service.history(course_id)]}


@bp.post("/api/instructor/v1/courses/<course_id>/bulk_email/preview")
@email_api.doc(json=PreviewForm, validate=False, resp={200: Preview, **ERRORS})
def preview(course_id: str) -> Any:
    """The message as it will be sent: sanitised HTML and its plain-text alternative."""
    check(PERMISSION, course_id, published=False)
    message = params().get("message")
    if not isinstance(message, str) or len(message) > service.MAX_MESSAGE:
        raise ApiError(400, _("The message is required."), "message")
    clean = service.sanitize_html(message)
    return {"html": clean, "text": service.html_to_text(clean)}


@bp.delete("/api/instructor/v1/courses/<course_id>/bulk_email/<int:email_id>")
@email_api.doc(resp={200: Cancelled, **ERRORS})
def cancel(course_id: str, email_id: int) -> Any:
    """Cancel a scheduled e-mail that has not started."""
    check(PERMISSION, course_id, published=False)
    if not service.cancel_scheduled(course_id, email_id):
        raise ApiError(404, _("There is no scheduled e-mail %(id)s to cancel.", id=email_id))
    return {"email_id": email_id, "status": "cancelled"}


@bp.get("/api/instructor/v1/courses/<course_id>/bulk_email/settings")
@email_api.doc(resp={200: EmailSettings, **ERRORS})
def email_settings(course_id: str) -> Any:
    """Whether the course may send e-mail."""
    check(PERMISSION, course_id, published=False)
    return {"course_id": course_id, "email_enabled": service.email_enabled(course_id)}


@bp.put("/api/instructor/v1/courses/<course_id>/bulk_email/settings")
@email_api.doc(json=EmailSettingsForm, validate=False, resp={200: EmailSettings, **ERRORS})
def change_email_settings(course_id: str) -> Any:
    """Turn the course's e-mail on or off (global staff only)."""
    user = check(PERMISSION, course_id, published=False)
    if not is_global_staff(user):
        raise ApiError(403, _("Only global staff may turn a course's e-mail on or off."))
    value = params().get("email_enabled")
    if not isinstance(value, bool):
        raise ApiError(400, _("email_enabled must be true or false."), "email_enabled")
    return {"course_id": course_id, "email_enabled": service.set_email_enabled(course_id, value, user.id)}


@bp.post("/courses/<course_id>/instructor/bulk_email/switch")
def switch(course_id: str) -> Response:
    """The Email section's switch for global staff (a form post): turn the course's e-mail on or off."""
    require(PERMISSION, course_id)
    if not is_global_staff(current_user):
        abort(403)
    service.set_email_enabled(course_id, request.form.get("email_enabled") == "on", current_user.id)
    return redirect(url_for("instructor_bulk_email.page", course_id=course_id))


def _failures(course_id: str, email_id: int) -> tuple[int, list[service.FailedRecipient]]:
    found = service.failed_recipients(course_id, email_id)
    if found is None:
        raise ApiError(404, _("There is no e-mail %(id)s in this course.", id=email_id))
    return found


@bp.get("/api/instructor/v1/courses/<course_id>/bulk_email/<int:email_id>/failures")
@email_api.doc(resp={200: Failures, **ERRORS})
def failures(course_id: str, email_id: int) -> Any:
    """The recipients an e-mail could not be delivered to, by username, with the reason."""
    check(PERMISSION, course_id, published=False)
    count, rows = _failures(course_id, email_id)
    return {"email_id": email_id, "count": count,
            "failures": [{"username": r.username, "email": r.email, "error": r.error} for r in rows]}


@bp.get("/courses/<course_id>/instructor/bulk_email/<int:email_id>/failures")
def failures_page(course_id: str, email_id: int) -> str:
    """The Email section's list of one e-mail's failed recipients."""
    require(PERMISSION, course_id)
    message = service.get_message(email_id)
    if message is None or message.course_id != course_id:
        abort(404)
    count, rows = _failures(course_id, email_id)
    return render_dashboard_page("instructor/bulk_email/failures.html", course_id, "bulk_email",
                                 message=message, count=count, failures=rows)


@public_bp.route("/bulk_email/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> Response | tuple[str, int] | str:
    """A learner's unsubscribe link: GET asks to confirm; POST (the page's button, or a mail provider's
    RFC 8058 one-click request) records the opt-out."""
    found = service.read_unsubscribe_token(token)
    if found is None:
        return render_template("instructor/bulk_email/unsubscribe.html", invalid=True), 404
    user_id, course_id = found

    overview = course_overview(course_id)
    course_name = getattr(overview, "display_name", "") or course_id
    if request.method == "POST":
        resubscribe = request.form.get("action") == "resubscribe"
        service.set_optout(user_id, course_id, not resubscribe)
        if request.form.get("List-Unsubscribe") == "One-Click":
            return Response(_("You are unsubscribed."), mimetype="text/plain")
        return render_template("instructor/bulk_email/unsubscribe.html", course_name=course_name, token=token,
                               done=not resubscribe, resubscribed=resubscribe)
    return render_template("instructor/bulk_email/unsubscribe.html", course_name=course_name, token=token,
                           opted_out=service.is_opted_out(user_id, course_id))


unsubscribe.kampus_csrf_exempt = True  # type: ignore[attr-defined]
