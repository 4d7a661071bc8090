"""The certificates section and its instructor API at Open edX's paths: generation for every eligible
learner (``start_certificate_generation``, a background task: the LMS's ``lms.certificates.update_course``),
regeneration (all, or one learner), the allowlist (Open edX's "certificate exceptions") and invalidations."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from flask_babel import gettext as _
from flask_login import current_user
from kampus_lms.api import (
    CertificateError,
    certificate_allowlist,
    certificate_counts,
    certificate_invalidations,
    certificate_status,
    invalidate_certificate,
    is_enrolled,
    regenerate_certificate,
    reinstate_certificate,
    set_allowlisted,
    start_certificate_generation,
)
from pydantic import BaseModel
from werkzeug.wrappers import Response

from kampus.api_docs import ApiSection
from kampus.identity.models import User
from kampus.identity.permissions import has_permission
from kampus_instructor.access import require
from kampus_instructor.http import ApiError, ErrorBody, check, install_errors, no_content, params
from kampus_instructor.membership.api import find_user, text_field
from kampus_instructor.pages import render_dashboard_page

bp = Blueprint("instructor_certificates", __name__)
install_errors(bp)

certificates_api = ApiSection("instructor certificates", "Generating, regenerating and invalidating a course's "
                              "certificates, and its allowlist (Open edX's instructor API).", errors="openedx")
ERRORS: dict[int, type[BaseModel] | None] = {400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody}
#: Who may generate, allowlist and invalidate.
MANAGE = "instructor.manage_certificates"
MAX_NOTES = 2000


class TaskStarted(BaseModel):
    """``start_certificate_generation``'s answer."""

    message: str
    task_id: str


class CertificateException(BaseModel):
    """A certificate exception (an allowlisted learner)."""

    id: int
    user_id: int
    user_name: str
    user_email: str
    course_id: str
    created: str
    notes: str


class Invalidation(BaseModel):
    """A certificate invalidation."""

    id: int
    user: str
    invalidated_by: str
    created: str
    notes: str


class Summary(BaseModel):
    """The course's certificates: counts by status, the allowlist and the invalidations."""

    course_id: str
    counts: dict[str, int]
    allowlist: list[CertificateException]
    invalidations: list[Invalidation]


class Regenerated(BaseModel):
    """One learner's certificate after regeneration."""

    username: str
    status: str


class Success(BaseModel):
    success: bool
    message: str


class ExceptionRequest(BaseModel):
    """A learner to allowlist or remove (``user_name`` or ``user_email``), with ``notes``."""

    user_name: str | None = None
    user_email: str | None = None
    notes: str = ""


class InvalidationRequest(BaseModel):
    """A learner whose certificate to invalidate or re-validate (``user``: username or e-mail), with ``notes``."""

    user: str
    notes: str = ""


def _exception_json(course_id: str, entry: Any) -> dict[str, Any]:
    return {"id": entry.id, "user_id": entry.user_id, "user_name": entry.username, "user_email": entry.email,
            "course_id": course_id, "created": entry.created.isoformat(), "notes": entry.notes}


def _invalidation_json(entry: Any) -> dict[str, Any]:
    return {"id": entry.id, "user": entry.username, "invalidated_by": entry.invalidated_by,
            "created": entry.created.isoformat(), "notes": entry.notes}


def _learner(field: str, *alternatives: str) -> User:
    data = params()
    identifier = next((str(data.get(name) or "").strip() for name in (field, *alternatives)
                       if str(data.get(name) or "").strip()), "")
    if not identifier:
        raise ApiError(400, _("Student username/email field is required and can not be empty. "
                              "Kindly fill in username/email and then press \"Add to Exception List\" button."), field)
    user = find_user(identifier)
    if user is None:
        raise ApiError(400, _("%(user)s does not exist in the LMS. Please check your spelling and retry.",
                              user=identifier), field)
    return user


def summary(course_id: str) -> dict[str, Any]:
    """What the section shows: counts by status, allowlist, invalidations."""
    return {"course_id": course_id, "counts": certificate_counts(course_id),
            "allowlist": [_exception_json(course_id, entry) for entry in certificate_allowlist(course_id)],
            "invalidations": [_invalidation_json(entry) for entry in certificate_invalidations(course_id)]}


@bp.get("/courses/<course_id>/instructor/certificates")
def certificates_page(course_id: str) -> str:
    """The certificates section."""
    require("instructor.view", course_id)
    return render_dashboard_page("instructor/certificates/index.html", course_id, "certificates",
                                 summary=summary(course_id), can_change=has_permission(current_user, MANAGE, course_id))


@bp.get("/api/instructor/v1/courses/<course_id>/certificates")
@certificates_api.doc(resp={200: Summary, **ERRORS})
def certificates_summary(course_id: str) -> Response:
    """The course's certificate counts by status, its allowlist and its invalidations."""
    check("instructor.view", course_id)
    return jsonify(summary(course_id))


def _started(course_id: str) -> Response:
    record = start_certificate_generation(course_id, current_user.id)
    return jsonify({"message": _("Certificate generation task for all students of this course has been started. "
                                 "You can follow it in the \"Background Tasks\" section."),
                    "task_id": str(record.id)})


@bp.post("/courses/<course_id>/instructor/api/start_certificate_generation")
@certificates_api.doc(resp={200: TaskStarted, **ERRORS})
def start_certificate_generation_view(course_id: str) -> Response:
    """Generate certificates for every eligible learner, in the background (``task_id``: its task)."""
    check(MANAGE, course_id)
    return _started(course_id)


@bp.post("/courses/<course_id>/instructor/api/start_certificate_regeneration")
@certificates_api.doc(resp={200: TaskStarted, **ERRORS})
def start_certificate_regeneration(course_id: str) -> Response:
    """Regenerate the certificates of every graded and allowlisted learner, in the background."""
    check(MANAGE, course_id)
    return _started(course_id)


@bp.post("/courses/<course_id>/instructor/api/generate_certificate_exceptions/<generate_for>")
@certificates_api.doc(resp={200: Success, **ERRORS})
def generate_certificate_exceptions(course_id: str, generate_for: str) -> Response:
    """Generate the certificates of the allowlisted learners (``new`` or ``all``), in the background."""
    check(MANAGE, course_id)
    if generate_for not in ("new", "all"):
        raise ApiError(400, _("Invalid data, generate_for must be \"new\" or \"all\"."), "generate_for")
    start_certificate_generation(course_id, current_user.id)
    return jsonify({"success": True, "message": _("Certificate generation started for white listed students.")})


@bp.post("/api/instructor/v1/courses/<course_id>/certificates/regenerate")
@certificates_api.doc(json=InvalidationRequest, validate=False, resp={200: Regenerated, **ERRORS})
def regenerate_one(course_id: str) -> Response:
    """Regenerate one learner's certificate now (``user``: username or e-mail)."""
    check(MANAGE, course_id)
    user = _learner("user", "username")
    regenerate_certificate(user.id, course_id)
    info = certificate_status(user.id, course_id)
    return jsonify({"username": user.username, "status": info.status if info is not None else "unavailable"})


@bp.post("/courses/<course_id>/instructor/api/certificate_exception_view/")
@certificates_api.doc(json=ExceptionRequest, validate=False, resp={200: CertificateException, **ERRORS})
def add_exception(course_id: str) -> Response:
    """Put a learner (``user_name`` or ``user_email``) on the allowlist, with ``notes``."""
    check(MANAGE, course_id)
    user = _learner("user_name", "user_email")
    notes = text_field("notes", max_length=MAX_NOTES)
    if not is_enrolled(user.id, course_id):
        raise ApiError(400, _("%(user)s is not enrolled in this course. Please check your spelling and retry.",
                              user=user.username), "user_name")
    if any(entry.user_id == user.id for entry in certificate_allowlist(course_id)):
        raise ApiError(400, _("Student (username/email=%(user)s) already in certificate exception list.",
                              user=user.username), "user_name")
    set_allowlisted(user.id, course_id, True, notes)
    entry = next(entry for entry in certificate_allowlist(course_id) if entry.user_id == user.id)
    return jsonify(_exception_json(course_id, entry))


@bp.delete("/courses/<course_id>/instructor/api/certificate_exception_view/")
@certificates_api.doc(json=ExceptionRequest, validate=False, resp={204: None, **ERRORS})
def remove_exception(course_id: str) -> Response:
    """Take a learner (``user_name`` or ``user_email``) off the allowlist."""
    check(MANAGE, course_id)
    user = _learner("user_name", "user_email")
    if not any(entry.user_id == user.id for entry in certificate_allowlist(course_id)):
        raise ApiError(400, _("Certificate exception (user=%(user)s) does not exist in certificate white list. "
                              "Please refresh the page and try again.", user=user.username), "user_name")
    set_allowlisted(user.id, course_id, False)
    return no_content()


@bp.post("/courses/<course_id>/instructor/api/certificate_invalidation_view/")
@certificates_api.doc(json=InvalidationRequest, validate=False, resp={200: Invalidation, **ERRORS})
def add_invalidation(course_id: str) -> Response:
    """Invalidate a learner's certificate (``user``: username or e-mail), with ``notes``."""
    check(MANAGE, course_id)
    user = _learner("user")
    notes = text_field("notes", max_length=MAX_NOTES)
    if any(entry.user_id == user.id for entry in certificate_invalidations(course_id)):
        raise ApiError(400, _("Certificate of %(user)s has already been invalidated. Please check your spelling "
                              "and retry.", user=user.username), "user")
    try:
        invalidate_certificate(user.id, course_id, invalidated_by=current_user.id, notes=notes)
    except CertificateError:
        raise ApiError(400, _("The student %(user)s does not have certificate for the course %(course)s. Kindly "
                              "verify student username/email and the selected course are correct and try again.",
                              user=user.username, course=course_id), "user") from None
    entry = next(entry for entry in certificate_invalidations(course_id) if entry.user_id == user.id)
    return jsonify(_invalidation_json(entry))


@bp.delete("/courses/<course_id>/instructor/api/certificate_invalidation_view/")
@certificates_api.doc(json=InvalidationRequest, validate=False, resp={204: None, **ERRORS})
def remove_invalidation(course_id: str) -> Response:
    """Lift the invalidation of a learner's certificate (``user``); the certificate is then regenerated."""
    check(MANAGE, course_id)
    user = _learner("user")
    if not reinstate_certificate(user.id, course_id):
        raise ApiError(400, _("Certificate Invalidation does not exist, Please refresh the page and try again."),
                       "user")
    regenerate_certificate(user.id, course_id)
    return no_content()
