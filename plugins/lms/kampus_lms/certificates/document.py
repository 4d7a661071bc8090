"""What a certificate says, gathered once for its HTML page and its PDF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kampus.current import current_kampus
from kampus.urls import absolute_url
from kampus_lms.catalog.api import course_overview
from kampus_lms.certificates.config import CertificateConfig, Signatory, certificate_config
from kampus_lms.certificates.display import display_date
from kampus_lms.certificates.generation import CertificateInfo, certificate_by_uuid, certificate_path, pdf_path


@dataclass(frozen=True)
class CertificateDocument:
    """One downloadable certificate with its course's configuration."""

    info: CertificateInfo
    config: CertificateConfig
    site_name: str
    #: The absolute public URL of the certificate's page (what verifiers open).
    verify_url: str
    pdf_url: str
    #: The date the certificate shows (Open edX's ``display_date_for_certificate``); ``None``: when issued.
    display_date: datetime | None = None

    @property
    def learner_name(self) -> str:
        return self.info.name

    @property
    def course_title(self) -> str:
        return self.config.title

    @property
    def issued_at(self) -> datetime:
        """The date printed on the certificate: the course's display date, else when it was issued."""
        return self.display_date or self.info.issued_at or self.info.modified

    @property
    def signatories(self) -> tuple[Signatory, ...]:
        return self.config.signatories


def public_document(verify_uuid: str) -> CertificateDocument | None:
    """The certificate anyone may see at ``/certificates/<verify_uuid>``: ``None`` unless it exists, is
    downloadable (not invalidated), its course shows certificates now (:mod:`.display`) and still has an
    active configuration (Open edX's rules)."""
    info = certificate_by_uuid(verify_uuid)
    if info is None or not info.is_downloadable:
        return None
    config = certificate_config(info.course_id)
    if config is None:
        return None
    return CertificateDocument(
        info=info, config=config, site_name=current_kampus().settings.site_name,
        verify_url=absolute_url(certificate_path(info.verify_uuid)), pdf_url=pdf_path(info.verify_uuid),
        display_date=display_date(course_overview(info.course_id), info.issued_at or info.modified),
    )
