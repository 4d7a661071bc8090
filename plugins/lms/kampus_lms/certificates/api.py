"""The certificates area's API, for the other LMS areas (and, through :mod:`kampus_lms.api`, other plugins).

* :func:`certificate_status` / :func:`certificate_statuses`: a learner's certificate (status in Open edX's
  names, public page and PDF links) for the dashboard, the progress page and APIs;
* :func:`update_certificate`: called by the grades area after a learner's course grade is committed;
* :func:`certificate_config`: the course's active configuration (title, signatories), read from the
  course's ``certificates`` field;
* staff actions: :func:`set_allowlisted`, :func:`invalidate_certificate`, :func:`reinstate_certificate`.
"""

from __future__ import annotations

from kampus_lms.certificates.config import CertificateConfig, Signatory, certificate_config
from kampus_lms.certificates.generation import (
    CertificateError,
    CertificateInfo,
    CertificateStatuses,
    certificate_by_uuid,
    certificate_status,
    certificate_statuses,
    invalidate_certificate,
    is_allowlisted,
    reinstate_certificate,
    set_allowlisted,
    update_certificate,
)

__all__ = [
    "CertificateConfig",
    "CertificateError",
    "CertificateInfo",
    "CertificateStatuses",
    "Signatory",
    "certificate_by_uuid",
    "certificate_config",
    "certificate_status",
    "certificate_statuses",
    "invalidate_certificate",
    "is_allowlisted",
    "reinstate_certificate",
    "set_allowlisted",
    "update_certificate",
]
