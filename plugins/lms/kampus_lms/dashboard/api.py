"""The learner dashboard's data: one :class:`DashboardCourse` per active enrollment.

:func:`dashboard_courses` gathers, for every course the learner is actively enrolled in: the catalog
overview (title, org, image, dates), the enrollment mode, completion (the course's completable leaves
done), the resume target (the unit visited last, through ``jump_to``), the current grade and the
certificate. Reads are batched by kind where the areas offer a batch (enrollments, overviews,
certificates); see the module's notes in the report for the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from kampus_content.api import CompletionSummary, ContentStoreError, content_store, course_completion
from opaque_keys.edx.keys import CourseKey

from kampus_lms.catalog.api import CourseOverview, about_url, list_overviews
from kampus_lms.certificates.api import CertificateInfo, certificate_statuses
from kampus_lms.courseware.api import jump_to_url, resume_block
from kampus_lms.enrollment.api import Enrollment, enrollments_of
from kampus_lms.grades.api import stored_course_grades


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


def _completion(overview: CourseOverview, user_id: int) -> CompletionSummary | None:
    """The learner's completion of the whole course (the published version the overview describes)."""
    try:
        structure = content_store().get_structure(overview.id, overview.version)
    except ContentStoreError:
        return None
    usage = str(CourseKey.from_string(overview.id).make_usage_key(*structure.root))
    return course_completion(structure, [user_id]).get(user_id, {}).get(usage)


def _grades(user_id: int, course_ids: list[str]) -> dict[str, DashboardGrade]:
    """The learner's stored course grades by course id."""
    grades = {}
    for course_id in course_ids:
        for row in stored_course_grades(course_id, [user_id]):
            grades[course_id] = DashboardGrade(percent=row["percent"], letter_grade=row["letter_grade"],
                                               passed=row["passed"])
    return grades


def dashboard_courses(user: Any) -> list[DashboardCourse]:
    """The learner's active enrollments as dashboard cards, the most recently enrolled first."""
    enrollments = enrollments_of(user.id)
    if not enrollments:
        return []
    course_ids = [enrollment.course_id for enrollment in enrollments]
    wanted = set(course_ids)
    overviews = {overview.id: overview for overview in list_overviews() if overview.id in wanted}
    certificates = certificate_statuses(user.id, course_ids)
    grades = _grades(user.id, [course_id for course_id in course_ids if course_id in overviews])
    cards = []
    for enrollment in enrollments:
        overview = overviews.get(enrollment.course_id)
        resume = resume_block(user.id, enrollment.course_id) if overview is not None else None
        cards.append(DashboardCourse(
            enrollment=enrollment,
            overview=overview,
            completion=_completion(overview, user.id) if overview is not None else None,
            resume_url=jump_to_url(enrollment.course_id, resume) if resume else None,
            grade=grades.get(enrollment.course_id),
            certificate=certificates.get(enrollment.course_id),
        ))
    return cards
