"""The model of the progress page: a learner's grade, their subsections by section, the chart, completion.

One call, :func:`progress_for`, costs a constant number of queries whatever the course's size: the
learner's scores (one), their completions (one), the stored course grade (one; writes only when it
changed), their due-date extensions (one: each subsection shows the learner's own due date, and
correctness shown "past due" waits for it, as Open edX's overridden ``due``) and the certificate (one).
Everything else comes from the structure, cached per version.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from kampus_content.api import (
    CompletionSummary,
    aggregate_completion,
    app_version_cache,
    completable_leaves,
    course_completions,
)

from kampus import db
from kampus_lms.certificates.api import CertificateInfo, certificate_status
from kampus_lms.courseware.api import jump_to_url
from kampus_lms.grades.data import CourseGrade, SubsectionGrade
from kampus_lms.grades.due_dates import extended_due_dates
from kampus_lms.grades.service import GradeComputation, compute, natural_mode, persist, published_grading
from kampus_lms.grades.structure import GradingStructure, Viewer


@dataclass(frozen=True)
class SubsectionRow:
    """One subsection on the progress page."""

    grade: SubsectionGrade
    url: str
    show_scores: bool  #: correctness may be shown now (Open edX's ``show_correctness``)
    completion: CompletionSummary | None

    @property
    def total(self) -> Any:
        """The total shown: graded points for a graded subsection, all points otherwise."""
        return self.grade.graded_total if self.grade.graded else self.grade.all_total


@dataclass(frozen=True)
class SectionRow:
    """One section (chapter) and its visible subsections."""

    display_name: str
    usage_id: str
    subsections: tuple[SubsectionRow, ...]


@dataclass(frozen=True)
class ChartBar:
    """One bar of the chart by assignment type."""

    label: str
    detail: str
    percent: float
    category: str
    category_index: int
    prominent: bool
    dropped: bool


@dataclass(frozen=True)
class ProgressPage:
    """Everything the progress page shows."""

    grade: CourseGrade
    sections: tuple[SectionRow, ...]
    cutoffs: tuple[tuple[str, float], ...]  #: ascending
    passing_cutoff: float | None
    bars: tuple[ChartBar, ...]
    categories: tuple[tuple[str, float, str], ...]  #: (assignment type, weighted contribution, detail)
    completion: CompletionSummary | None
    certificate: CertificateInfo | None
    staff_view: bool


def correctness_available(show_correctness: str, due: datetime | None, staff: bool, now: datetime) -> bool:
    """Open edX's ``ShowCorrectness.correctness_available``."""
    if show_correctness == "never":
        return False
    if staff:
        return True
    if show_correctness == "past_due":
        return due is None or due < now
    return True


def _leaves(grading: GradingStructure, viewer: Viewer, now: datetime) -> Any:
    """The completable leaves under each subsection and under the course for this kind of viewer now
    (cached per version and visibility): the only blocks whose completion the page shows, so that
    aggregating one learner's completions does not summarise every unit and component as well."""
    cache: dict[str, Any] = app_version_cache("lms_grades_completion_leaves", 16).get_or_compute(
        grading.version, dict)
    key = viewer.visibility_key(grading, now)
    if key not in cache:
        every = completable_leaves(grading.structure, visible=lambda block: viewer.visible(grading, block, now))
        shown = [grading.structure.root, *(sub.key for sub in grading.subsections)]
        cache[key] = {block: every[block] for block in shown if block in every}
    return cache[key]


def _chart(grade: CourseGrade) -> tuple[ChartBar, ...]:
    categories: list[str] = []
    bars = []
    for item in grade.section_breakdown:
        category = str(item.get("category", ""))
        if category not in categories:
            categories.append(category)
        bars.append(ChartBar(label=str(item.get("label", "")), detail=str(item.get("detail", "")),
                             percent=float(item.get("percent", 0.0)), category=category,
                             category_index=categories.index(category) % 8,
                             prominent=bool(item.get("prominent")), dropped="mark" in item))
    return tuple(bars)


def progress_for(user: Any, course_id: str, *, staff_view: bool, as_viewed: bool = False,
                 groups: dict[int, int] | None = None, now: datetime | None = None) -> ProgressPage:
    """The progress page of ``user`` (whose data is shown). ``staff_view``: the viewer sees staff-only
    and unreleased content; ``as_viewed``: a staff member masquerading as a learner looks at their own
    data under learner rules (then nothing is stored: it is not their grade); ``groups``: the content groups
    counted instead of the user's own (``{user_partition_id: group_id}``: the group such a masquerade
    chose, ``{}`` for none)."""
    now = now or datetime.now(UTC)
    grading = published_grading(course_id)
    mode = "staff" if staff_view else ("learner" if as_viewed else natural_mode(user, course_id, grading))
    # scores and overrides from the page's own session: one snapshot, and no second connection for the overrides
    computation: GradeComputation = compute(user, course_id, mode=mode, now=now, grading=grading,
                                            db_session=db.session(), groups=groups)
    grade = computation.grade if as_viewed else persist(computation, user=user, read_first=True)
    viewer = computation.viewer
    completions = course_completions(course_id, [viewer.user_id])[viewer.user_id]
    completion = aggregate_completion(grading.structure, completions, leaves=_leaves(grading, viewer, now))
    by_id = {sub.usage_id: sub for sub in grade.subsections}
    extended = extended_due_dates(course_id, viewer.user_id)  # the learner's own due dates
    sections = []
    for chapter in grading.chapters:
        if chapter.hide_from_toc and not staff_view:
            continue
        rows = []
        for index in chapter.subsections:
            info = grading.subsections[index]
            sub = by_id.get(info.usage_id)
            if sub is None or (info.hide_from_toc and not staff_view):
                continue
            if sub.usage_id in extended:
                sub = replace(sub, due=extended[sub.usage_id])
            rows.append(SubsectionRow(sub, jump_to_url(course_id, sub.usage_id),
                                      correctness_available(sub.show_correctness, sub.due, staff_view, now),
                                      completion.get(sub.usage_id)))
        if rows:
            sections.append(SectionRow(chapter.display_name, chapter.usage_id, tuple(rows)))
    return ProgressPage(
        grade=grade, sections=tuple(sections),
        cutoffs=tuple(sorted(grade.cutoffs.items(), key=lambda item: item[1])),
        passing_cutoff=grade.passing_cutoff, bars=_chart(grade),
        categories=tuple((name, float(part.get("percent", 0.0)), str(part.get("detail", "")))
                         for name, part in grade.grade_breakdown.items()),
        completion=completion.get(grading.root_id), certificate=certificate_status(viewer.user_id, course_id),
        staff_view=staff_view,
    )

