"""Open edX's certificates REST API (``lms/djangoapps/certificates/apis/v0``) at its paths, in its shapes.

* ``GET /api/certificates/v0/certificates/<username>/courses/<course_id>/`` (``CertificatesDetailView``):
  ``{"username", "course_id", "certificate_type", "created_date", "status", "is_passing",
  "download_url", "grade"}``; 404 ``{"error_code": "course_id_not_valid" | "no_certificate_for_user" |
  "no_certificate_configuration_for_course"}``.
* ``GET /api/certificates/v0/certificates/<username>/`` (``CertificatesListView``): the learner's passing
  certificates their courses show, oldest first, each with ``course_display_name``, ``course_organization``
  and ``modified_date`` too.

Who: the learner themselves, or global staff (Open edX's ``IsStaff | IsUserInUrl``; Kampus accounts have
no public profile, so Open edX's "public certificates" never applies); others get DRF's 403. The course's
display rules hold (:mod:`kampus_lms.certificates.display`): a certificate the course does not show yet is
``certificate_earned_but_not_available``, not passing and without a link, and the list leaves it out.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from pydantic import BaseModel, RootModel
from werkzeug.wrappers import Response

from kampus.api_docs import ApiSection
from kampus_lms.catalog.api import course_overviews
from kampus_lms.certificates.api import CertificateInfo, CertificateStatuses, certificate_config, certificate_statuses
from kampus_lms.rest.common import (
    PERMISSION_DENIED,
    RestError,
    course_key_or_none,
    detail_error,
    drf_datetime,
    install_error_handler,
    is_global_staff,
    json_answer,
    requesting_user,
    user_by_username,
)

bp = Blueprint("lms_rest_certificates", __name__)
install_error_handler(bp)

certificates_api = ApiSection("certificates", "Course certificates (Open edX's certificates API v0).",
                              errors="openedx")


class Certificate(BaseModel):
    """``CertificatesDetailView``'s answer."""

    username: str
    course_id: str
    certificate_type: str
    created_date: str | None
    status: str
    is_passing: bool
    download_url: str | None
    grade: str


class ListedCertificate(Certificate):
    """One item of ``CertificatesListView``."""

    course_display_name: str
    course_organization: str
    modified_date: str | None


class CertificateList(RootModel[list[ListedCertificate]]):
    pass


class ErrorCode(BaseModel):
    error_code: str


class Detail(BaseModel):
    detail: str


def _not_found(code: str) -> RestError:
    return RestError(404, {"error_code": code}, message=code.replace("_", " "))


def _allowed(viewer: Any, username: str) -> None:
    """``IsStaff | IsUserInUrl``."""
    if viewer.username.lower() != username.lower() and not is_global_staff(viewer):
        raise detail_error(403, PERMISSION_DENIED)


def certificate_json(username: str, info: CertificateInfo) -> dict[str, Any]:
    """Open edX's ``format_certificate_for_user`` as the detail view answers it."""
    passing = info.status in CertificateStatuses.PASSING_STATUSES
    return {
        "username": username, "course_id": info.course_id, "certificate_type": info.mode,
        "created_date": drf_datetime(info.created), "status": info.status, "is_passing": passing,
        "download_url": info.download_url or None, "grade": info.grade,
    }


@bp.get("/api/certificates/v0/certificates/<username>/courses/<course_id>/")
@certificates_api.doc(resp={200: Certificate, 401: Detail, 403: Detail, 404: ErrorCode}, scopes=("certificates:read",))
def certificate_detail(username: str, course_id: str) -> Response:
    """A learner's certificate in a course (the learner or staff)."""
    viewer = requesting_user()
    _allowed(viewer, username)
    key = course_key_or_none(course_id)
    if key is None:
        raise _not_found("course_id_not_valid")
    user = user_by_username(username)
    info = certificate_statuses(user.id, [str(key)]).get(str(key)) if user is not None else None
    if user is None or info is None:
        raise _not_found("no_certificate_for_user")
    if certificate_config(str(key)) is None:
        raise _not_found("no_certificate_configuration_for_course")
    return json_answer(certificate_json(user.username, info))


@bp.get("/api/certificates/v0/certificates/<username>/")
@certificates_api.doc(resp={200: CertificateList, 401: Detail, 403: Detail}, scopes=("certificates:read",))
def certificate_list(username: str) -> Response:
    """A learner's passing certificates that their courses show, oldest first (the learner or staff)."""
    viewer = requesting_user()
    _allowed(viewer, username)
    user = user_by_username(username)
    if user is None:
        return json_answer([])
    passing = [info for info in certificate_statuses(user.id).values()
               if info.status in CertificateStatuses.PASSING_STATUSES]
    overviews = course_overviews([info.course_id for info in passing]) if passing else {}
    listed = []
    for info in sorted(passing, key=lambda item: item.created):
        overview = overviews.get(info.course_id)
        if overview is None or certificate_config(info.course_id) is None:
            continue
        listed.append({**certificate_json(user.username, info),
                       "course_display_name": overview.display_name,
                       "course_organization": overview.display_org or overview.org,
                       "modified_date": drf_datetime(info.modified)})
    return json_answer(listed)
