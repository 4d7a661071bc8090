"""Certificate tables, after Open edX's ``lms/djangoapps/certificates/models.py``.

``GeneratedCertificate`` is one learner's certificate in one course (one row per learner and course, its
``status`` one of :class:`~kampus_lms.certificates.statuses.CertificateStatuses`); ``CertificateAllowlist``
forces eligibility (Open edX's allowlist, once "whitelist", with its notes); ``CertificateInvalidation``
records who invalidated a certificate and why (``active`` False when the invalidation was lifted);
``CertificateConfigState`` remembers, per course, the signature of the certificate configuration last
published (a publish that changes it refreshes the learners' certificates, :mod:`.tasks`).

The per-course configuration (title, signatories, active) is not a table: it is the course's
``certificates`` field (see :mod:`kampus_lms.certificates.config`).
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kampus.db import Base, UTCDateTime, utcnow


def new_verify_uuid() -> str:
    """A fresh public verification id (32 hex digits, as Open edX's ``verify_uuid``)."""
    return uuid.uuid4().hex


class GeneratedCertificate(Base):
    """A learner's certificate in a course (Open edX's ``GeneratedCertificate``)."""

    __tablename__ = "lms_generated_certificate"
    __table_args__ = (sa.UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("kampus_user.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[str] = mapped_column(sa.String(255), index=True)
    status: Mapped[str] = mapped_column(sa.String(32), default="unavailable")
    mode: Mapped[str] = mapped_column(sa.String(32), default="honor")
    #: The course grade when the certificate was last updated, as a fraction ("0.85"), Open edX's CharField.
    grade: Mapped[str] = mapped_column(sa.String(5), default="")
    verify_uuid: Mapped[str] = mapped_column(sa.String(32), unique=True, default=new_verify_uuid)
    download_url: Mapped[str] = mapped_column(sa.String(255), default="")
    #: The learner's name when the certificate was issued (a later change of name does not change it).
    name: Mapped[str] = mapped_column(sa.String(255), default="")
    #: How it was made: ``self`` (grade change), ``batch`` (a staff command).
    generation_mode: Mapped[str] = mapped_column(sa.String(32), default="self")
    #: When it first became downloadable (the date the certificate shows); None before.
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    modified: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class CertificateAllowlist(Base):
    """A learner who gets a certificate whatever their grade (Open edX's ``CertificateAllowlist``)."""

    __tablename__ = "lms_certificate_allowlist"
    __table_args__ = (sa.UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("kampus_user.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[str] = mapped_column(sa.String(255), index=True)
    allowlist: Mapped[bool] = mapped_column(default=True)
    notes: Mapped[str] = mapped_column(sa.Text(), default="")
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CertificateInvalidation(Base):
    """An invalidated certificate, with who did it and why (Open edX's ``CertificateInvalidation``)."""

    __tablename__ = "lms_certificate_invalidation"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_generated_certificate.id", ondelete="CASCADE"), index=True)
    invalidated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("kampus_user.id", ondelete="SET NULL"), index=True, default=None)
    notes: Mapped[str] = mapped_column(sa.Text(), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    modified: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class CertificateConfigState(Base):
    """The certificate configuration a course was last published with: its signature ("" for none active)."""

    __tablename__ = "lms_certificate_config_state"

    course_id: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    signature: Mapped[str] = mapped_column(sa.String(64), default="")
    #: The published version the signature was read from.
    version: Mapped[str] = mapped_column(sa.String(64), default="")
    modified: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
