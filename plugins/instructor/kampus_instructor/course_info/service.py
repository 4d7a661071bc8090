"""What the course info section shows (Open edX's "Course Info" tab of the instructor dashboard):
enrollment counts by mode and in total, the course's dates, its grade cutoffs, and links to the course
outline in the LMS and to Studio (when the studio plugin is enabled)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from kampus_content.api import ContentStoreError, grading_policy
from kampus_lms.api import course_modes, course_overview, enrollment_counts_by_mode

#: The Studio endpoint whose presence says the studio plugin is enabled (its course outline).
STUDIO_PREFIX = "studio"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def studio_url(course_id: str) -> str | None:
    """The course in Studio, when this app runs the studio plugin (known from its view functions: the
    dashboard does not import Studio)."""
    if any(endpoint.split(".")[0].startswith(STUDIO_PREFIX) for endpoint in current_app.view_functions):
        return f"/studio/course/{course_id}/"
    return None


def course_info(course_id: str) -> dict[str, Any] | None:
    """The course info of a published course (``None`` when it is not published): ``course_id``,
    ``display_name``, ``enrollment_counts`` (by mode, every offered mode present, and ``total``), the
    dates (ISO 8601 or ``None``), ``has_started``/``has_ended``, ``grade_cutoffs``, and the links."""
    overview = course_overview(course_id)
    if overview is None:
        return None
    counts = {mode.slug: 0 for mode in course_modes(course_id, include_expired=True)}
    counts.update(enrollment_counts_by_mode(course_id))
    counts["total"] = sum(value for key, value in counts.items() if key != "total")
    try:
        cutoffs = dict(grading_policy(course_id).get("GRADE_CUTOFFS") or {})
    except ContentStoreError:
        cutoffs = {}
    return {
        "course_id": course_id,
        "display_name": overview.display_name,
        "org": overview.display_org or overview.org,
        "number": overview.display_number or overview.number,
        "run": overview.run,
        "self_paced": overview.self_paced,
        "enrollment_counts": counts,
        "start": _iso(overview.start),
        "end": _iso(overview.end),
        "enrollment_start": _iso(overview.enrollment_start),
        "enrollment_end": _iso(overview.enrollment_end),
        "has_started": overview.has_started(),
        "has_ended": overview.has_ended(),
        "grade_cutoffs": dict(sorted(cutoffs.items(), key=lambda item: -float(item[1]))),
        "outline_url": f"/courses/{course_id}/course/",
        "studio_url": studio_url(course_id),
    }
