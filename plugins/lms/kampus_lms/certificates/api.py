"""The certificates area's API, for the other LMS areas (and, through :mod:`kampus_lms.api`, other plugins).

* :func:`certificate_status` / :func:`certificate_statuses`: a learner's certificate (status in Open edX's
  names, public page and PDF links) for the dashboard, the progress page and APIs. A certificate its course
  does not show yet (Open edX's ``certificates_display_behavior`` / ``certificate_available_date``,
  :func:`certificates_viewable`) comes as ``certificate_earned_but_not_available``, without links, with
  ``available_date`` when known;
* :func:`update_certificate`: called by the grades area after a learner's course grade is committed (and,
  for every graded learner, by the ``lms.certificates.update_course`` task when a publish activates or
  changes the course's configuration); beta testers get none unless allowlisted (:func:`is_beta_tester`);
* :func:`certificate_config`: the course's active configuration (title, signatories), read from the
  course's ``certificates`` field;
* staff actions: :func:`set_allowlisted`, :func:`invalidate_certificate`, :func:`reinstate_certificate`.
"""

from __future__ import annotations

from kampus_lms.certificates.config import CertificateConfig, Signatory, certificate_config
from kampus_lms.certificates.display import available_date, certificates_viewable, display_date
from kampus_lms.certificates.generation import (
    CertificateError,
    CertificateInfo,
    CertificateStatuses,
    certificate_by_uuid,
    certificate_status,
    certificate_statuses,
    invalidate_certificate,
    is_allowlisted,
    is_beta_tester,
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
    "available_date",
    "certificate_by_uuid",
    "certificate_config",
    "certificate_status",
    "certificate_statuses",
    "certificates_viewable",
    "display_date",
    "invalidate_certificate",
    "is_allowlisted",
    "is_beta_tester",
    "reinstate_certificate",
    "set_allowlisted",
    "update_certificate",
]
