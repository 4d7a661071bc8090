"""What the instructor dashboard reads and starts about a course's certificates (through
:mod:`kampus_lms.api`): counts by status, the allowlist and the invalidations with their notes, and the
generation task (``lms.certificates.update_course``) for every eligible learner, for the allowlisted
ones, or for one learner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from kampus import db
from kampus.identity.models import User
from kampus.tasks.api import AlreadyRunningError, get_record, submit
from kampus_lms.certificates.models import CertificateAllowlist, CertificateInvalidation, GeneratedCertificate
from kampus_lms.certificates.tasks import update_course_certificates, update_learners
from kampus_lms.grades.api import recompute_course_grade


@dataclass(frozen=True)
class AllowlistEntry:
    """A learner on a course's certificate allowlist (Open edX's certificate exception)."""

    id: int
    user_id: int
    username: str
    email: str
    notes: str
    created: datetime


@dataclass(frozen=True)
class InvalidationEntry:
    """An active invalidation of a learner's certificate."""

    id: int
    user_id: int
    username: str
    invalidated_by: str
    notes: str
    created: datetime


def certificate_counts(course_id: str) -> dict[str, int]:
    """How many certificates of the course are in each status (one query), and ``invalidated``: how many
    are invalidated."""
    rows = db.session().execute(sa.select(GeneratedCertificate.status, sa.func.count())
                                .where(GeneratedCertificate.course_id == str(course_id))
                                .group_by(GeneratedCertificate.status))
    counts = {row[0]: int(row[1]) for row in rows}
    counts["invalidated"] = len(certificate_invalidations(course_id))
    return counts


def certificate_allowlist(course_id: str) -> list[AllowlistEntry]:
    """The course's allowlisted learners, oldest first."""
    rows = db.session().execute(
        sa.select(CertificateAllowlist, User.username, User.email).join(User, User.id == CertificateAllowlist.user_id)
        .where(CertificateAllowlist.course_id == str(course_id), CertificateAllowlist.allowlist.is_(True))
        .order_by(CertificateAllowlist.created, CertificateAllowlist.id))
    return [AllowlistEntry(row[0].id, row[0].user_id, row[1], row[2], row[0].notes or "", row[0].created)
            for row in rows]


def certificate_invalidations(course_id: str) -> list[InvalidationEntry]:
    """The course's active certificate invalidations, oldest first."""
    by = aliased(User)
    rows = db.session().execute(
        sa.select(CertificateInvalidation, GeneratedCertificate.user_id, User.username, by.username)
        .join(GeneratedCertificate, GeneratedCertificate.id == CertificateInvalidation.certificate_id)
        .join(User, User.id == GeneratedCertificate.user_id)
        .outerjoin(by, by.id == CertificateInvalidation.invalidated_by_id)
        .where(GeneratedCertificate.course_id == str(course_id), CertificateInvalidation.active.is_(True))
        .order_by(CertificateInvalidation.created, CertificateInvalidation.id))
    return [InvalidationEntry(row[0].id, row[1], row[2], row[3] or "", row[0].notes or "", row[0].created)
            for row in rows]


def start_certificate_generation(course_id: str, user_id: int | None) -> Any:
    """Start ``lms.certificates.update_course`` for the course (every graded and allowlisted learner);
    returns the task record (the running one when a generation is already running)."""
    try:
        return submit(update_course_certificates, user_id=user_id, key=str(course_id), course_id=str(course_id))
    except AlreadyRunningError as running:
        return get_record(running.record_id)


def regenerate_certificate(user_id: int, course_id: str) -> dict[str, int]:
    """Recompute one learner's course grade and update their certificate from it now; how many ended in
    each status (``{"none": 1}``: no certificate, e.g. not enrolled)."""
    recompute_course_grade(user_id, str(course_id))
    return update_learners(str(course_id), [user_id])
