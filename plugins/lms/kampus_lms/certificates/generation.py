"""Certificate eligibility and generation, after Open edX's ``certificates/generation_handler.py``.

:func:`update_certificate` runs after a learner's course grade is committed (the grades area calls it)
and by the staff command ``kampus certificates generate``. The rules, in Open edX's order:

* no active enrollment, or no active certificate configuration in the course: nothing changes;
* a beta tester of the course who is not on its allowlist: nothing changes (Open edX's
  ``_can_generate_regular_certificate`` and ``_can_set_regular_cert_status`` refuse beta testers);
* an enrollment mode outside the ``certificates_eligible_modes`` setting (audit, by Open edX's current
  rule: honor, verified and the professional modes are eligible): ``audit_passing`` or
  ``audit_notpassing``, never a certificate;
* an invalidated certificate stays ``unavailable`` whatever the grade;
* a passing grade, or a place on the course's allowlist: ``downloadable``, unless a plugin's
  ``kampus_certificate_eligible`` answers ``False`` (then ``unavailable``: withheld);
* else ``notpassing`` (a downloadable certificate drops to ``notpassing`` when the grade drops,
  as Open edX's failing-grade signal does, and comes back when it passes again).

Each call is idempotent: a row is written only when its status, mode or grade changes, and
``edx.certificate.created`` is emitted once per certificate, when it first becomes downloadable.

What the learner sees follows the course's display settings (:mod:`.display`): every
:class:`CertificateInfo` this module returns shows a downloadable certificate that its course does not
show yet as ``certificate_earned_but_not_available`` (no links, ``available_date`` when known), as Open
edX's dashboard does; ``stored_status`` keeps the status as stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, url_for
from sqlalchemy.exc import IntegrityError

from kampus import db
from kampus.current import current_kampus
from kampus.db import utcnow
from kampus.events.emit import emit
from kampus.identity.models import CourseAccessRole, User
from kampus.identity.roles import BETA_TESTER
from kampus.urls import absolute_url
from kampus_lms.catalog.api import CourseOverview, course_overview, course_overviews
from kampus_lms.certificates.config import certificate_config
from kampus_lms.certificates.display import available_date, certificates_viewable
from kampus_lms.certificates.models import (
    CertificateAllowlist,
    CertificateInvalidation,
    GeneratedCertificate,
    new_verify_uuid,
)
from kampus_lms.enrollment.api import get_enrollment


class CertificateStatuses:
    """Open edX's certificate statuses (``lms/djangoapps/certificates/data.py``) that Kampus uses."""

    downloadable = "downloadable"
    notpassing = "notpassing"
    audit_passing = "audit_passing"
    audit_notpassing = "audit_notpassing"
    unavailable = "unavailable"
    invalidated = "invalidated"
    #: Issued, but the course does not show certificates yet (Open edX's dashboard status of that name).
    earned_but_not_available = "certificate_earned_but_not_available"

    PASSING_STATUSES = (downloadable,)


#: Open edX's certificate-eligible modes (every mode but audit).
DEFAULT_ELIGIBLE_MODES = ["honor", "verified", "professional", "no-id-professional", "credit", "masters",
                          "executive-education"]


class CertificateError(ValueError):
    """A staff action that cannot be done (no such learner, no certificate to invalidate)."""


@dataclass(frozen=True)
class CertificateInfo:
    """What the dashboard, the progress page and the APIs show of a learner's certificate."""

    user_id: int
    course_id: str
    #: One of :class:`CertificateStatuses` (``invalidated`` when an active invalidation holds it).
    status: str
    mode: str
    #: The course grade when it was last updated, as a fraction ("0.85").
    grade: str
    verify_uuid: str
    #: The certificate's public page (``/certificates/<verify_uuid>``), "" unless downloadable.
    download_url: str
    #: Its PDF, "" unless downloadable.
    pdf_url: str
    name: str
    issued_at: datetime | None
    created: datetime
    modified: datetime
    #: The status as stored (``status`` is what the learner is shown).
    stored_status: str = ""
    #: When an earned certificate the course does not show yet will be shown (``None``: shown, or unknown).
    available_date: datetime | None = None

    @property
    def is_downloadable(self) -> bool:
        return self.status == CertificateStatuses.downloadable


def certificate_path(verify_uuid: str) -> str:
    """The site path of a certificate's public page."""
    return f"/certificates/{verify_uuid}"


def pdf_path(verify_uuid: str) -> str:
    """The site path of a certificate's PDF."""
    return f"/certificates/{verify_uuid}.pdf"


def _info(cert: GeneratedCertificate, invalidated: bool, overview: CourseOverview | None) -> CertificateInfo:
    """What the learner is shown of ``cert`` (``overview``: its course's, for the display settings)."""
    status = CertificateStatuses.invalidated if invalidated else cert.status
    shown_later = None
    if status == CertificateStatuses.downloadable and not certificates_viewable(overview):
        status = CertificateStatuses.earned_but_not_available
        shown_later = available_date(overview)
    downloadable = status == CertificateStatuses.downloadable
    return CertificateInfo(
        user_id=cert.user_id, course_id=cert.course_id, status=status, mode=cert.mode, grade=cert.grade,
        verify_uuid=cert.verify_uuid,
        download_url=certificate_path(cert.verify_uuid) if downloadable else "",
        pdf_url=pdf_path(cert.verify_uuid) if downloadable else "",
        name=cert.name, issued_at=cert.issued_at, created=cert.created, modified=cert.modified,
        stored_status=cert.status, available_date=shown_later,
    )


def _active_invalidation() -> Any:
    return (sa.select(CertificateInvalidation.id)
            .where(CertificateInvalidation.certificate_id == GeneratedCertificate.id,
                   CertificateInvalidation.active.is_(True))
            .exists())


#: The statement of :func:`certificate_status`, built once (the progress page asks on every view).
_CERTIFICATE = sa.select(GeneratedCertificate, _active_invalidation()).where(
    GeneratedCertificate.user_id == sa.bindparam("user_id"),
    GeneratedCertificate.course_id == sa.bindparam("course_id"),
)


def certificate_status(user_id: int, course_id: str) -> CertificateInfo | None:
    """The learner's certificate in the course, or ``None`` when none was ever considered (one query)."""
    row = db.session().execute(_CERTIFICATE, {"user_id": user_id, "course_id": course_id}).first()
    return None if row is None else _info(row[0], bool(row[1]), course_overview(course_id))


def certificate_statuses(user_id: int, course_ids: list[str] | None = None) -> dict[str, CertificateInfo]:
    """The learner's certificates by course id (every course, or those of ``course_ids``): one query, plus one
    for their courses' overviews unless this request read them already."""
    query = sa.select(GeneratedCertificate, _active_invalidation()).where(GeneratedCertificate.user_id == user_id)
    if course_ids is not None:
        if not course_ids:
            return {}
        query = query.where(GeneratedCertificate.course_id.in_(course_ids))
    rows = db.session().execute(query).all()
    overviews = course_overviews([row[0].course_id for row in rows]) if rows else {}
    return {cert.course_id: _info(cert, bool(invalid), overviews.get(cert.course_id)) for cert, invalid in rows}


def certificate_by_uuid(verify_uuid: str) -> CertificateInfo | None:
    """The certificate with this public id, or ``None``."""
    if not verify_uuid or len(verify_uuid) > 32:
        return None
    row = db.session().execute(
        sa.select(GeneratedCertificate, _active_invalidation()).where(GeneratedCertificate.verify_uuid == verify_uuid)
    ).first()
    return None if row is None else _info(row[0], bool(row[1]), course_overview(row[0].course_id))


def grade_fields(grade: Any) -> dict[str, Any]:
    """``percent``, ``letter_grade`` and ``passed`` of a course grade (a ``CourseGrade`` or a mapping)."""
    if isinstance(grade, Mapping):
        get = grade.get
    else:
        def get(name: str, default: Any = None) -> Any:
            return getattr(grade, name, default)
    percent = float(get("percent", 0.0) or 0.0)
    return {"percent": percent, "letter_grade": get("letter_grade"), "passed": bool(get("passed", False))}


def eligible_modes() -> set[str]:
    """The enrollment modes that lead to a certificate (the ``certificates_eligible_modes`` setting)."""
    return set(current_kampus().settings.get("certificates_eligible_modes") or DEFAULT_ELIGIBLE_MODES)


def is_allowlisted(user_id: int, course_id: str) -> bool:
    """Is the learner on the course's certificate allowlist?"""
    return db.session().scalar(
        sa.select(CertificateAllowlist.id).where(CertificateAllowlist.user_id == user_id,
                                                 CertificateAllowlist.course_id == course_id,
                                                 CertificateAllowlist.allowlist.is_(True))
    ) is not None


def is_beta_tester(user_id: int, course_id: str) -> bool:
    """Does the learner hold the course's beta tester role (Open edX's ``CourseBetaTesterRole``)?"""
    return db.session().scalar(
        sa.select(CourseAccessRole.id).where(CourseAccessRole.user_id == user_id,
                                             CourseAccessRole.course_id == course_id,
                                             CourseAccessRole.role == BETA_TESTER).limit(1)
    ) is not None


def _withheld(user_id: int, course_id: str, grade: dict[str, Any]) -> bool:
    answers = current_kampus().hook.kampus_certificate_eligible(user_id=user_id, course_id=course_id, grade=grade)
    return any(answer is False for answer in answers)


def _wanted_status(user_id: int, course_id: str, mode: str, grade: dict[str, Any], invalidated: bool) -> str:
    if mode not in eligible_modes():
        return CertificateStatuses.audit_passing if grade["passed"] else CertificateStatuses.audit_notpassing
    if invalidated:
        return CertificateStatuses.unavailable
    if grade["passed"] or is_allowlisted(user_id, course_id):
        if _withheld(user_id, course_id, grade):
            return CertificateStatuses.unavailable
        return CertificateStatuses.downloadable
    return CertificateStatuses.notpassing


def _load_for_update(user_id: int, course_id: str) -> tuple[GeneratedCertificate | None, bool]:
    # populate_existing: a row this session loaded before is read again (another process may have changed it)
    row = db.session().execute(
        sa.select(GeneratedCertificate, _active_invalidation())
        .where(GeneratedCertificate.user_id == user_id, GeneratedCertificate.course_id == course_id)
        .execution_options(populate_existing=True)
    ).first()
    return (None, False) if row is None else (row[0], bool(row[1]))


def update_certificate(user_id: int, course_id: str, grade: Any, *, generation_mode: str = "self",
                       report: bool = True) -> CertificateInfo | None:
    """Create or refresh the learner's certificate from their committed course ``grade`` (see the module's
    rules). Commits its own change; returns the certificate, or ``None`` when the learner has none
    (not enrolled, or the course gives no certificate). ``report=False``: ``None`` without reading the
    certificate when none is written (a caller that ignores the answer saves that query)."""
    if certificate_config(course_id) is None:  # cached per course version: no enrollment read either
        return certificate_status(user_id, course_id) if report else None
    enrollment = get_enrollment(user_id, course_id)
    if enrollment is None or not enrollment.is_active or (
            is_beta_tester(user_id, course_id) and not is_allowlisted(user_id, course_id)):
        return certificate_status(user_id, course_id) if report else None
    fields = grade_fields(grade)
    session = db.session()
    cert, invalidated = _load_for_update(user_id, course_id)
    status = _wanted_status(user_id, course_id, enrollment.mode, fields, invalidated)
    grade_text = f"{fields['percent']:.2f}"[:5]
    if cert is not None and (cert.status, cert.mode, cert.grade) == (status, enrollment.mode, grade_text):
        return _info(cert, invalidated, course_overview(course_id))
    user = session.get(User, user_id)
    first_issue = False
    try:
        with session.begin_nested():
            if cert is None:
                cert = GeneratedCertificate(user_id=user_id, course_id=course_id, verify_uuid=new_verify_uuid())
                session.add(cert)
            cert.status = status
            cert.mode = enrollment.mode
            cert.grade = grade_text
            cert.generation_mode = generation_mode
            cert.modified = utcnow()
            if status == CertificateStatuses.downloadable:
                cert.name = (user.display_name if user else "")[:255]
                cert.download_url = certificate_path(cert.verify_uuid)
                if cert.issued_at is None:
                    cert.issued_at = utcnow()
                    first_issue = True
            session.flush()
    except IntegrityError:
        # Another request made the row meanwhile (the savepoint is rolled back): start again from it.
        return update_certificate(user_id, course_id, grade, generation_mode=generation_mode, report=report)
    session.commit()
    if first_issue:
        _emit_created(cert, user)
    return _info(cert, invalidated, course_overview(course_id))


def _emit_created(cert: GeneratedCertificate, user: User | None) -> None:
    """``edx.certificate.created`` in Open edX's shape (``certificates/api.py`` ``emit_certificate_event``)."""
    emit("edx.certificate.created", {
        "user_id": cert.user_id,
        "course_id": cert.course_id,
        "certificate_id": cert.verify_uuid,
        "enrollment_mode": cert.mode,
        "generation_mode": cert.generation_mode,
        "certificate_url": absolute_url(certificate_path(cert.verify_uuid)),
    }, course_id=cert.course_id, username=user.username if user else "", user_id=cert.user_id)


# -- staff actions ------------------------------------------------------------------------------------------------


def find_user(username: str) -> User:
    """The account called ``username``; raises :class:`CertificateError`."""
    user = db.session().scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise CertificateError(f"no user {username!r}")
    return user


def set_allowlisted(user_id: int, course_id: str, allowlisted: bool, notes: str = "") -> None:
    """Put the learner on the course's allowlist (or take them off). Commits; the certificate follows at the
    next grade update or ``kampus certificates generate``."""
    session = db.session()
    row = session.scalar(sa.select(CertificateAllowlist).where(CertificateAllowlist.user_id == user_id,
                                                               CertificateAllowlist.course_id == course_id))
    if row is None:
        if not allowlisted:
            return
        row = CertificateAllowlist(user_id=user_id, course_id=course_id)
        session.add(row)
    row.allowlist = allowlisted
    if notes:
        row.notes = notes
    session.commit()


def invalidate_certificate(user_id: int, course_id: str, *, invalidated_by: int | None, notes: str = "") -> None:
    """Invalidate the learner's certificate (Open edX's ``CertificateInvalidation``): its page and PDF
    disappear and no grade brings it back until :func:`reinstate_certificate`. Commits."""
    session = db.session()
    cert, invalidated = _load_for_update(user_id, course_id)
    if cert is None:
        raise CertificateError("this learner has no certificate in this course")
    if invalidated:
        return
    session.add(CertificateInvalidation(certificate_id=cert.id, invalidated_by_id=invalidated_by, notes=notes))
    cert.status = CertificateStatuses.unavailable
    cert.modified = utcnow()
    session.commit()


def reinstate_certificate(user_id: int, course_id: str) -> bool:
    """Lift the active invalidation of the learner's certificate (its status follows at the next grade
    update or ``kampus certificates generate``). False when none was active. Commits."""
    session = db.session()
    cert, invalidated = _load_for_update(user_id, course_id)
    if cert is None or not invalidated:
        return False
    session.execute(sa.update(CertificateInvalidation)
                    .where(CertificateInvalidation.certificate_id == cert.id,
                           CertificateInvalidation.active.is_(True))
                    .values(active=False, modified=utcnow()))
    session.commit()
    return True


def public_url(info: CertificateInfo) -> str:
    """The absolute public URL of a downloadable certificate."""
    if has_request_context():
        return absolute_url(url_for("lms_certificates.certificate_page", verify_uuid=info.verify_uuid))
    return absolute_url(certificate_path(info.verify_uuid))
