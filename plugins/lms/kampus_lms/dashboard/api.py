"""The learner dashboard's data: one :class:`DashboardCourse` per active enrollment.

:func:`dashboard_courses` gathers, for every course the learner is actively enrolled in: the catalog
overview (title, org, image, dates), the enrollment mode, completion (the course's completable leaves
done), the resume target (the unit visited last, through ``jump_to``), the current grade and the
certificate. Every kind of data is read for all the learner's courses at once (one query per kind:
enrollments, overviews, completions, visits, stored grades, certificates), so the page's queries do not
grow with the number of courses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from kampus_content.api import (
    CompletionSummary,
    ContentStoreError,
    Structure,
    content_store,
    course_completion_summaries,
)

from kampus_lms.catalog.api import CourseOverview, about_url, course_overviews
from kampus_lms.certificates.api import CertificateInfo, certificate_statuses
from kampus_lms.courseware.api import jump_to_url, resume_blocks
from kampus_lms.enrollment.api import Enrollment, enrollments_of
from kampus_lms.grades.api import stored_learner_grades


@dataclass(frozen=True)
class DashboardGrade:
    """A learner's course grade as the dashboard shows it."""

    percent: float
    letter_grade: str | None
    passed: bool


@dataclass(frozen=True)
class DashboardCourse:
    """One card of the dashboard."""

    enrollment: Enrollment
    #: ``None`` when the course is no longer published (the card still lets the learner unenroll).
    overview: CourseOverview | None
    completion: CompletionSummary | None
    #: The ``jump_to`` path of the unit visited last, or ``None`` when the learner has not started.
    resume_url: str | None
    #: The stored course grade (``percent`` 0.0-1.0, ``letter_grade``, ``passed``), as last computed; ``None``
    #: before the learner's first score.
    grade: DashboardGrade | None
    certificate: CertificateInfo | None

    @property
    def course_id(self) -> str:
        return self.enrollment.course_id

    @property
    def title(self) -> str:
        return self.overview.display_name if self.overview is not None else self.course_id

    @property
    def home_url(self) -> str:
        """The course home (outline)."""
        return f"/courses/{quote(self.course_id, safe=':+@')}/course/"

    @property
    def about_url(self) -> str:
        return about_url(self.course_id)

    @property
    def unenroll_url(self) -> str:
        return f"/courses/{quote(self.course_id, safe=':+@')}/unenroll"

    @property
    def completion_percent(self) -> int:
        """Completion as a whole percentage, 0 to 100 (rounded down: 100 only when everything is done)."""
        if self.completion is None or self.completion.possible == 0:
            return 0
        return int(100 * self.completion.earned / self.completion.possible)

    def has_started(self, now: datetime | None = None) -> bool:
        return self.overview is not None and self.overview.has_started(now)

    def has_ended(self, now: datetime | None = None) -> bool:
        return self.overview is not None and self.overview.has_ended(now)


def _structures(overviews: dict[str, CourseOverview]) -> dict[str, Structure]:
    """The published structures the overviews describe, by course id (kept per app by version: no query
    once read); a course whose version the store no longer holds is left out."""
    structures = {}
    for course_id, overview in overviews.items():
        try:
            structures[course_id] = content_store().get_structure(course_id, overview.version)
        except ContentStoreError:
            continue
    return structures


def dashboard_courses(user: Any) -> list[DashboardCourse]:
    """The learner's active enrollments as dashboard cards, the most recently enrolled first.

    A constant number of queries whatever the number of courses: one per kind of data."""
    enrollments = enrollments_of(user.id)
    if not enrollments:
        return []
    course_ids = [enrollment.course_id for enrollment in enrollments]
    overviews = course_overviews(course_ids)
    structures = _structures(overviews)
    completions = course_completion_summaries(user.id, structures.values())
    resume = resume_blocks(user.id, list(structures), structures=structures)
    certificates = certificate_statuses(user.id, course_ids)
    grades = {course_id: DashboardGrade(percent=row["percent"], letter_grade=row["letter_grade"],
                                        passed=row["passed"])
              for course_id, row in stored_learner_grades(user.id, list(overviews)).items()}
    return [DashboardCourse(
        enrollment=enrollment,
        overview=overviews.get(enrollment.course_id),
        completion=completions.get(enrollment.course_id),
        resume_url=jump_to_url(enrollment.course_id, resume[enrollment.course_id])
        if enrollment.course_id in resume else None,
        grade=grades.get(enrollment.course_id),
        certificate=certificates.get(enrollment.course_id),
    ) for enrollment in enrollments]
