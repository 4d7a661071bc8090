"""The values of grading: scores, subsection and course grades, a grader's input and result.

They follow Open edX's ``xmodule/graders.py`` (``ProblemScore``, ``AggregatedScore``) and
``lms/djangoapps/grades`` (``SubsectionGrade``, ``CourseGrade``): points are *weighted* points
(a problem's ``weight`` already applied), percents are fractions (0.85 is 85 %).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class ProblemScore:
    """A learner's weighted score on one scorable block (0 earned when never attempted)."""

    usage_id: str
    earned: float
    possible: float
    graded: bool
    first_attempted: datetime | None
    unit_id: str  #: the usage id of the unit (vertical) holding the block ('' when none)
    display_name: str = ""

    @property
    def attempted(self) -> bool:
        return self.first_attempted is not None


@dataclass(frozen=True)
class AggregatedScore:
    """Points summed over a subsection's problems (Open edX's ``AggregatedScore``)."""

    earned: float
    possible: float
    graded: bool
    first_attempted: datetime | None = None


@dataclass(frozen=True)
class SubsectionGrade:
    """A learner's grade in one subsection (sequential).

    ``all_total`` sums every problem, ``graded_total`` the graded ones only; a subsection counts
    toward its assignment type (``format``) only when it is ``graded`` and has graded points.
    ``problem_scores`` is empty when the grade was read from its stored row.
    """

    usage_id: str
    display_name: str
    chapter_id: str
    format: str
    graded: bool
    due: datetime | None
    show_correctness: str
    all_total: AggregatedScore
    graded_total: AggregatedScore
    problem_scores: tuple[ProblemScore, ...] = ()
    label: str = ""  #: the short label the grader gave it ("HW 01"), '' for ungraded subsections

    @property
    def percent_graded(self) -> float:
        """``graded_total`` as a fraction, rounded to 2 decimals as Open edX's ``compute_percent``."""
        return compute_percent(self.graded_total.earned, self.graded_total.possible)

    @property
    def attempted(self) -> bool:
        return self.all_total.first_attempted is not None

    @property
    def counts(self) -> bool:
        """Whether the subsection counts toward its assignment type (Open edX's ``graded_subsections_by_format``)."""
        return self.graded and bool(self.format) and self.graded_total.possible > 0


@dataclass(frozen=True)
class CourseGradingInput:
    """What a grader is given: the learner's subsection grades, the policy and the course itself.

    ``structure`` is the published structure graded (``kampus_content.api.Structure``): a grader that
    needs more than the subsection totals reads block fields there (e.g. a unit's ``weight``).
    """

    user_id: int
    course_id: str
    policy: dict[str, Any]
    subsections: tuple[SubsectionGrade, ...]
    structure: Any

    def graded_subsections_by_format(self) -> dict[str, list[SubsectionGrade]]:
        """The counted subsections by assignment type, in course order."""
        by_format: dict[str, list[SubsectionGrade]] = {}
        for subsection in self.subsections:
            if subsection.counts:
                by_format.setdefault(subsection.format, []).append(subsection)
        return by_format


@dataclass(frozen=True)
class CourseGradeResult:
    """What a grader returns.

    ``percent`` is the final fraction, already rounded (Open edX rounds before the cutoffs);
    ``grade_breakdown`` maps each assignment type to ``{"percent", "detail", "category"}`` (its weighted
    contribution); ``section_breakdown`` lists ``{"percent", "label", "detail", "category"}`` for each
    assignment, plus ``"prominent"`` for averages and ``"mark"`` for dropped ones; ``labels`` maps a
    subsection's usage id to its short label.
    """

    percent: float
    letter_grade: str | None
    passed: bool
    grade_breakdown: dict[str, dict[str, Any]] = field(default_factory=dict)
    section_breakdown: list[dict[str, Any]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form handed to ``kampus_grade_computed`` and stored with the course grade."""
        return {"percent": self.percent, "letter_grade": self.letter_grade, "passed": self.passed,
                "grade_breakdown": self.grade_breakdown, "section_breakdown": self.section_breakdown,
                "labels": self.labels}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CourseGradeResult:
        """Read back :meth:`to_dict`'s form; raises ``ValueError`` on a malformed dict."""
        try:
            percent = float(data["percent"])
        except (KeyError, TypeError, ValueError):
            raise ValueError("a course grade needs a numeric 'percent'") from None
        letter = data.get("letter_grade")
        return cls(percent, str(letter) if letter else None, bool(data.get("passed")),
                   dict(data.get("grade_breakdown") or {}), list(data.get("section_breakdown") or []),
                   dict(data.get("labels") or {}))


@runtime_checkable
class CourseGrader(Protocol):
    """A course grader (``kampus_course_grader`` answers one): the default is Open edX's algorithm."""

    def grade(self, course: CourseGradingInput) -> CourseGradeResult:
        """Grade one learner's course."""
        ...


@dataclass(frozen=True)
class CourseGrade:
    """A learner's course grade as pages and other areas read it.

    ``percent`` is rounded like Open edX's; ``letter_grade`` is the cutoff reached (``None`` below every
    cutoff); ``cutoffs`` are the policy's ``GRADE_CUTOFFS``; ``subsections`` in course order.
    """

    user_id: int
    course_id: str
    percent: float
    letter_grade: str | None
    passed: bool
    grade_breakdown: dict[str, dict[str, Any]]
    section_breakdown: list[dict[str, Any]]
    subsections: tuple[SubsectionGrade, ...]
    cutoffs: dict[str, float]
    course_version: str
    passed_timestamp: datetime | None = None

    @property
    def passing_cutoff(self) -> float | None:
        """The lowest non-zero cutoff (Open edX's passing line), or ``None``."""
        nonzero = [value for value in self.cutoffs.values() if value > 0]
        return min(nonzero) if nonzero else None

    @property
    def attempted(self) -> bool:
        return any(subsection.attempted for subsection in self.subsections)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``kampus_certificate_eligible`` and the REST API read it)."""
        return {"user_id": self.user_id, "course_id": self.course_id, "percent": self.percent,
                "letter_grade": self.letter_grade, "passed": self.passed, "grade_breakdown": self.grade_breakdown,
                "section_breakdown": self.section_breakdown, "course_version": self.course_version}


def compute_percent(earned: float, possible: float) -> float:
    """``earned / possible`` rounded to 2 decimals half-to-even, as numpy's ``around`` in Open edX's
    ``compute_percent``; 0 when nothing is possible."""
    if possible > 0:
        return round(earned / possible * 100) / 100
    return 0.0
