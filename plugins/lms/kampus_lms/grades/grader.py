"""Open edX's course grader: assignment types with weights, ``min_count`` placeholders, dropped lowest
scores, rounding and cutoffs (``xmodule/graders.py`` and ``lms/djangoapps/grades/course_grade.py``).

:class:`OpenEdxGrader` is the default :class:`~kampus_lms.grades.data.CourseGrader`; a plugin replaces it
through ``kampus_course_grader``. The functions here are pure (no database, no app).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from flask_babel import get_translations
from flask_babel import gettext as babel_gettext

from kampus_lms.grades.data import CourseGradeResult, CourseGradingInput, SubsectionGrade

log = logging.getLogger(__name__)

#: The translations of one :meth:`OpenEdxGrader.grade` call: a learner's grade formats a dozen labels, a
#: report grades thousands of learners, and flask_babel's ``gettext`` looks them up again at each call.
_translations: ContextVar[Any] = ContextVar("kampus_lms_grader_translations", default=None)


def _(msgid: str, **variables: Any) -> str:
    """``gettext`` with the grading call's translations (flask_babel's, looked up once per grade)."""
    translations = _translations.get()
    if translations is None:
        return babel_gettext(msgid, **variables)
    text = translations.ugettext(msgid)
    return text % variables if variables else text


def round_away_from_zero(number: float, digits: int = 0) -> float:
    """Round half away from zero (Open edX's ``xmodule.util.misc.round_away_from_zero``)."""
    scale = 10.0 ** digits
    if number >= 0:
        return float(math.floor(number * scale + 0.5)) / scale
    return float(math.ceil(number * scale - 0.5)) / scale


def final_percent(raw_percent: float) -> float:
    """The course percent Open edX compares with the cutoffs: ``round_away_from_zero(p * 100 + 0.05) / 100``
    (``CourseGrade._compute_percent``; the ``+ 0.05`` is Open edX's, see its TNL-6972)."""
    return round_away_from_zero(raw_percent * 100 + 0.05) / 100


def letter_grade_for(cutoffs: Mapping[str, float], percent: float) -> str | None:
    """The highest cutoff ``percent`` reaches (cutoffs sorted descending), or ``None``."""
    for letter in sorted(cutoffs, key=lambda name: cutoffs[name], reverse=True):
        if percent >= cutoffs[letter]:
            return letter
    return None


def passed_for(cutoffs: Mapping[str, float], percent: float) -> bool:
    """Whether ``percent`` reaches the lowest non-zero cutoff (no such cutoff: never passed)."""
    nonzero = [value for value in cutoffs.values() if value > 0]
    return bool(nonzero) and percent >= min(nonzero)


def short_labeler(prefix: str) -> Callable[[int], str]:
    """``labeler(3) == "HW 03"`` for prefix ``HW`` (Open edX's ``get_short_labeler``)."""
    return lambda index: f"{prefix} {index:02d}"


def clean_cutoffs(raw: Any) -> dict[str, float]:
    """``GRADE_CUTOFFS`` as ``{letter: fraction}``, entries that are not numbers left out."""
    cutoffs: dict[str, float] = {}
    if isinstance(raw, Mapping):
        for letter, value in raw.items():
            try:
                number = float(value)
            except (TypeError, ValueError):
                log.warning("grade cutoff %r=%r is not a number: ignored", letter, value)
                continue
            if math.isfinite(number):
                cutoffs[str(letter)] = number
    return cutoffs


@dataclass(frozen=True)
class AssignmentFormatGrader:
    """One assignment type: equal-weight average of its subsections, ``min_count`` placeholders scoring 0,
    the ``drop_count`` lowest dropped."""

    type: str
    min_count: int
    drop_count: int
    category: str
    section_type: str
    short_label: str
    show_only_average: bool = False
    hide_average: bool = False
    starting_index: int = 1

    def total_with_drops(self, breakdown: list[dict[str, Any]]) -> tuple[float, list[int]]:
        """The average without the ``drop_count`` lowest, and the dropped indexes (ties: the later ones)."""
        ordered = sorted(enumerate(breakdown), key=lambda item: -item[1]["percent"])
        dropped = [index for index, _mark in ordered[-self.drop_count:]] if self.drop_count > 0 else []
        total = sum(mark["percent"] for index, mark in enumerate(breakdown) if index not in dropped)
        kept = len(breakdown) - self.drop_count
        if kept > 0:
            total /= kept
        return total, dropped

    def grade(self, subsections: list[SubsectionGrade]) -> tuple[float, list[dict[str, Any]], dict[str, str]]:
        """(percent, section breakdown, labels by subsection usage id)."""
        breakdown: list[dict[str, Any]] = []
        labels: dict[str, str] = {}
        labeler = short_labeler(self.short_label)
        for i in range(max(self.min_count, len(subsections))):
            index = i + self.starting_index
            if i < len(subsections):
                subsection = subsections[i]
                percent = subsection.percent_graded
                detail = _("%(section_type)s %(index)s - %(name)s - %(percent)s%% (%(earned)s/%(possible)s)",
                           section_type=self.section_type, index=index, name=subsection.display_name,
                           percent=round(percent * 100), earned=f"{float(subsection.graded_total.earned):.3n}",
                           possible=f"{float(subsection.graded_total.possible):.3n}")
                labels[subsection.usage_id] = labeler(index)
            else:
                percent = 0.0
                detail = _("%(section_type)s %(index)s Unreleased - 0%% (?/?)", section_type=self.section_type,
                           index=index)
            breakdown.append({"percent": percent, "label": labeler(index), "detail": detail,
                              "category": self.category})
        total, dropped = self.total_with_drops(breakdown)
        for index in dropped:
            breakdown[index]["mark"] = {"detail": _("The lowest %(drop_count)s %(section_type)s scores are dropped.",
                                                    drop_count=self.drop_count, section_type=self.section_type)}
        if len(breakdown) == 1:
            labels = dict.fromkeys(labels, self.short_label)
            breakdown = [{"percent": total, "label": self.short_label, "category": self.category, "prominent": True,
                          "detail": _("%(section_type)s = %(percent)s%%", section_type=self.section_type,
                                      percent=round(total * 100))}]
        else:
            average = {"percent": total, "label": _("%(short_label)s Avg", short_label=self.short_label),
                       "detail": _("%(section_type)s Average = %(percent)s%%", section_type=self.section_type,
                                   percent=round(total * 100)),
                       "category": self.category, "prominent": True}
            if self.show_only_average:
                breakdown = []
            if not self.hide_average:
                breakdown.append(average)
        return total, breakdown, labels


def _count(value: Any, name: str) -> int:
    try:
        number = int(float(value))
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None
    if number < 0:
        raise ValueError(f"{name} must not be negative, not {value!r}")
    return number


def subgraders_from_policy(policy: Mapping[str, Any]) -> list[tuple[AssignmentFormatGrader, float]]:
    """The assignment types of ``policy["GRADER"]`` with their weights (Open edX's ``grader_from_conf``).

    An entry without ``type`` or ``min_count``, or with values of the wrong kind, is left out with a
    warning in the log, so that one bad entry of an imported policy does not stop every page.
    """
    graders: list[tuple[AssignmentFormatGrader, float]] = []
    for entry in policy.get("GRADER") or []:
        try:
            if not isinstance(entry, Mapping) or "min_count" not in entry or not entry.get("type"):
                raise ValueError("an assignment type needs 'type' and 'min_count'")
            kind = str(entry["type"])
            weight = float(entry.get("weight", 0) or 0)
            if not math.isfinite(weight):
                raise ValueError("weight must be a finite number")
            grader = AssignmentFormatGrader(
                type=kind, min_count=_count(entry["min_count"], "min_count"),
                drop_count=_count(entry.get("drop_count", 0) or 0, "drop_count"),
                category=str(entry.get("category") or kind), section_type=str(entry.get("section_type") or kind),
                short_label=str(entry.get("short_label") or kind),
                show_only_average=bool(entry.get("show_only_average", False)),
                hide_average=bool(entry.get("hide_average", False)),
                starting_index=_count(entry.get("starting_index", 1), "starting_index"),
            )
        except (TypeError, ValueError) as exc:
            log.warning("grading policy entry %r ignored: %s", entry, exc)
            continue
        graders.append((grader, weight))
    return graders


class OpenEdxGrader:
    """Open edX's ``WeightedSubsectionsGrader`` over the policy's ``AssignmentFormatGrader`` s, then the
    rounding and the cutoffs of ``CourseGrade.update``."""

    def __init__(self, policy: Mapping[str, Any]):
        self.subgraders = subgraders_from_policy(policy)
        self.cutoffs = clean_cutoffs(policy.get("GRADE_CUTOFFS"))

    def grade(self, course: CourseGradingInput) -> CourseGradeResult:
        """Grade one learner's course from their subsection grades."""
        token = _translations.set(get_translations())
        try:
            return self._grade(course)
        finally:
            _translations.reset(token)

    def _grade(self, course: CourseGradingInput) -> CourseGradeResult:
        by_format = course.graded_subsections_by_format()
        raw = 0.0
        section_breakdown: list[dict[str, Any]] = []
        grade_breakdown: dict[str, dict[str, Any]] = {}
        labels: dict[str, str] = {}
        for subgrader, weight in self.subgraders:
            percent, breakdown, own_labels = subgrader.grade(by_format.get(subgrader.type, []))
            weighted = percent * weight
            raw += weighted
            section_breakdown += breakdown
            labels.update(own_labels)
            grade_breakdown[subgrader.category] = {
                "percent": weighted, "category": subgrader.category,
                "detail": _("%(assignment_type)s = %(weighted_percent).2f%% of a possible %(weight).2f%%",
                            assignment_type=subgrader.category, weighted_percent=weighted * 100,
                            weight=weight * 100),
            }
        percent = final_percent(raw)
        return CourseGradeResult(percent=percent, letter_grade=letter_grade_for(self.cutoffs, percent),
                                 passed=passed_for(self.cutoffs, percent), grade_breakdown=grade_breakdown,
                                 section_breakdown=section_breakdown, labels=labels)
