"""When a learner sees their certificate, after Open edX's certificate display settings.

A certificate is *issued* when its status becomes ``downloadable`` (:mod:`.generation`), but it is *shown*
(dashboard, progress page, public page and PDF) only once its course lets certificates be seen, as Open
edX's ``certificates_viewable_for_course`` decides (``lms/djangoapps/certificates/utils.py``
``should_certificate_be_visible``, with the v2 display settings of ADR 005). Shown when any of:

* the course is self-paced;
* ``certificates_display_behavior`` is ``early_no_info`` (or the deprecated ``certificates_show_before_end``
  is set);
* the behaviour is ``end_with_date`` and ``certificate_available_date`` has passed;
* the behaviour is ``end`` and the course has ended (an instructor-paced course without an end never
  shows certificates under ``end``, as in Open edX).

The catalog's overview carries both settings, already made consistent the way Open edX's
``CourseDetails.validate_certificate_settings`` does (a date means ``end_with_date``).

The date a certificate shows is Open edX's ``display_date_for_certificate``: the available date once it
has passed (``end_with_date``), the course end (instructor-paced, ``end``), else the date it was issued.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

#: Open edX's ``CertificatesDisplayBehaviors`` (``xmodule/data.py``).
EARLY_NO_INFO = "early_no_info"
END = "end"
END_WITH_DATE = "end_with_date"


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def certificates_viewable(overview: Any, now: datetime | None = None) -> bool:
    """Whether learners of the course (its catalog ``CourseOverview``) may see their certificates at ``now``.
    ``None`` (no published course) shows nothing."""
    if overview is None:
        return False
    moment = _now(now)
    behavior = overview.certificates_display_behavior
    available = getattr(overview, "certificate_available_date", None)
    return any((
        bool(overview.self_paced),
        behavior == EARLY_NO_INFO or bool(getattr(overview, "certificates_show_before_end", False)),
        behavior == END_WITH_DATE and available is not None and available < moment,
        behavior == END and overview.has_ended(moment),
    ))


def available_date(overview: Any, now: datetime | None = None) -> datetime | None:
    """When an earned certificate that is not shown yet will be (``None``: shown already, or no date known:
    an ``end`` course without an end)."""
    if overview is None or certificates_viewable(overview, now):
        return None
    if overview.certificates_display_behavior == END_WITH_DATE:
        return getattr(overview, "certificate_available_date", None)
    if overview.certificates_display_behavior == END:
        return overview.end  # type: ignore[no-any-return]
    return None


def display_date(overview: Any, issued: datetime, now: datetime | None = None) -> datetime:
    """The date the certificate shows (Open edX's ``display_date_for_certificate``); ``issued`` is when it
    was issued."""
    if overview is None:
        return issued
    available = getattr(overview, "certificate_available_date", None)
    behavior = overview.certificates_display_behavior
    if behavior == END_WITH_DATE and available is not None and available < _now(now):
        return available  # type: ignore[no-any-return]
    if not overview.self_paced and behavior == END and overview.end is not None:
        return overview.end  # type: ignore[no-any-return]
    return issued
