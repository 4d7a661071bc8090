"""Computing a learner's grade from their score rows: subsection totals, the grader, the adjust hook.

No query runs here: the caller passes the learner's scores (``kampus_content.api.course_scores``, one
query) and the version's possible points. The grader is the one a plugin gives through
``kampus_course_grader`` (first answer wins), else :class:`~kampus_lms.grades.grader.OpenEdxGrader`;
``kampus_grade_computed`` may then adjust the result.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from kampus import current_kampus
from kampus_lms.grades.data import (
    AggregatedScore,
    CourseGrade,
    CourseGrader,
    CourseGradeResult,
    CourseGradingInput,
    ProblemScore,
    SubsectionGrade,
)
from kampus_lms.grades.grader import OpenEdxGrader, clean_cutoffs
from kampus_lms.grades.structure import GradingStructure, SubsectionInfo, Viewer

log = logging.getLogger(__name__)


def _min_or_none(values: list[datetime]) -> datetime | None:
    return min(values) if values else None


def aggregate(scores: list[ProblemScore]) -> tuple[AggregatedScore, AggregatedScore]:
    """``(all_total, graded_total)`` of a subsection's problem scores (Open edX's ``aggregate_scores``)."""
    graded = [score for score in scores if score.graded]
    all_total = AggregatedScore(
        float(sum(score.earned for score in scores)), float(sum(score.possible for score in scores)), False,
        _min_or_none([score.first_attempted for score in scores if score.first_attempted]))
    graded_total = AggregatedScore(
        float(sum(score.earned for score in graded)), float(sum(score.possible for score in graded)), True,
        _min_or_none([score.first_attempted for score in graded if score.first_attempted]))
    return all_total, graded_total


def apply_override(all_total: AggregatedScore, graded_total: AggregatedScore,
                   override: Any) -> tuple[AggregatedScore, AggregatedScore]:
    """The totals with a subsection grade override applied (Open edX's ``_apply_override``): each value the
    override sets replaces the computed one; an overridden subsection counts as attempted from the
    override's time on."""
    if override is None:
        return all_total, graded_total
    when = all_total.first_attempted or override.modified
    graded_when = graded_total.first_attempted or override.modified

    def pick(value: float | None, computed: float) -> float:
        return computed if value is None else float(value)

    return (AggregatedScore(pick(override.earned_all_override, all_total.earned),
                            pick(override.possible_all_override, all_total.possible), False, when),
            AggregatedScore(pick(override.earned_graded_override, graded_total.earned),
                            pick(override.possible_graded_override, graded_total.possible), True, graded_when))


def subsection_grade(info: SubsectionInfo, scores: Mapping[str, Any], possible: Mapping[str, float],
                     visible: Any, override: Any = None) -> SubsectionGrade:
    """One subsection's grade: each visible scorable block's score row (or 0 of its possible points), then
    the learner's override of the subsection (:func:`apply_override`) when there is one."""
    problems = []
    for scorable in info.scorables:
        if not visible(scorable.key):
            continue
        row = scores.get(scorable.usage_id)
        if row is not None:
            problem = ProblemScore(scorable.usage_id, float(row.earned), float(row.possible), scorable.graded,
                                   row.first_attempted, scorable.unit_id, scorable.display_name)
        else:
            problem = ProblemScore(scorable.usage_id, 0.0, float(possible.get(scorable.usage_id, 0.0)),
                                   scorable.graded, None, scorable.unit_id, scorable.display_name)
        problems.append(problem)
    all_total, graded_total = apply_override(*aggregate(problems), override)
    return SubsectionGrade(
        usage_id=info.usage_id, display_name=info.display_name, chapter_id=info.chapter_id, format=info.format,
        graded=info.graded, due=info.due, show_correctness=info.show_correctness, all_total=all_total,
        graded_total=graded_total, problem_scores=tuple(problems))


def visible_blocks_hash(grade: SubsectionGrade) -> str:
    """A hash of the blocks a subsection grade counted and their possible points (Open edX's
    ``VisibleBlocks.hash_value``)."""
    return _blocks_hash(tuple((p.usage_id, p.possible, p.graded) for p in grade.problem_scores))


@functools.lru_cache(maxsize=4096)
def _blocks_hash(blocks: tuple[tuple[str, float, bool], ...]) -> str:
    """The hash of :func:`visible_blocks_hash` (the same few block lists recur for every learner of a course,
    and a regrade asks three times per subsection)."""
    text = "|".join(f"{usage_id}:{possible!r}:{int(graded)}" for usage_id, possible, graded in blocks)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def course_grader(course_id: str, policy: dict[str, Any]) -> CourseGrader:
    """The grader of the course: a plugin's (``kampus_course_grader``), else Open edX's."""
    chosen = current_kampus().hook.kampus_course_grader(course_id=course_id, policy=policy)
    if chosen is None:
        return OpenEdxGrader(policy)
    if not callable(getattr(chosen, "grade", None)):
        raise TypeError(f"kampus_course_grader answered {chosen!r}, which has no grade(course) method")
    return chosen  # type: ignore[no-any-return]


def compute_grade(grading: GradingStructure, viewer: Viewer, scores: Mapping[str, Any],
                  possible: Mapping[str, float], now: datetime,
                  overrides: Mapping[str, Any] | None = None) -> CourseGrade:
    """The learner's course grade now, from their ``{usage_id: score row}`` and their subsection grade
    ``overrides`` (``{subsection usage_id: override row}``)."""
    overrides = overrides or {}

    visible = grading.visible_keys(viewer, now).__contains__

    subsections = [subsection_grade(info, scores, possible, visible, overrides.get(info.usage_id))
                   for info in grading.subsections if visible(info.key)]
    course_input = CourseGradingInput(user_id=viewer.user_id, course_id=grading.course_id, policy=grading.policy,
                                      subsections=tuple(subsections), structure=grading.structure)
    result = course_grader(grading.course_id, grading.policy).grade(course_input)
    if not isinstance(result, CourseGradeResult):
        raise TypeError(f"the course grader returned {result!r}, not a CourseGradeResult")
    adjusted = current_kampus().hook.kampus_grade_computed(
        user_id=viewer.user_id, course_id=grading.course_id, grade=result.to_dict())
    if adjusted is not None:
        result = CourseGradeResult.from_dict(adjusted)
    labelled = tuple(replace(sub, label=result.labels.get(sub.usage_id, "")) for sub in subsections)
    return CourseGrade(
        user_id=viewer.user_id, course_id=grading.course_id, percent=result.percent,
        letter_grade=result.letter_grade, passed=result.passed, grade_breakdown=result.grade_breakdown,
        section_breakdown=result.section_breakdown, subsections=labelled,
        cutoffs=clean_cutoffs(grading.policy.get("GRADE_CUTOFFS")), course_version=grading.version)
