"""Filters of learner lists on their stored grades (Open edX's gradebook filters ``assignment_grade_min/max``
and ``course_grade_min/max``), as SQL conditions the list's own query holds.

Each function returns a *condition maker*: given the column of the learner's user id in the list's query
(an enrollment's), it answers a correlated ``EXISTS`` condition on the stored grade rows. The filter then
runs inside the page query and the count query, so a keyset page holds exactly the learners in range,
whatever falls on either side of the page's bounds, and the query count does not grow with the page.

As in Open edX, the rows filtered are the persistent grades (:mod:`kampus_lms.grades.persistence`), which
every score change, override and regrade keeps current; percentages are in 0..100 and bounds inclusive.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from kampus_lms.grades.models import PersistentCourseGrade, PersistentSubsectionGrade, SubsectionGradeOverride

#: Given the user id column of a list's query, a SQL condition on that learner.
UserCondition = Callable[[Any], Any]


def assignment_grade_between(course_id: str, usage_id: str, low: float | None, high: float | None) -> UserCondition:
    """Learners whose stored grade in the subsection ``usage_id`` is between ``low`` and ``high`` percent
    (inclusive; missing bounds are 0 and 100, as Open edX's), graded points with the learner's override
    applied. A learner without a stored grade there (never attempted, not overridden) or whose subsection
    has no graded points possible has no percentage and is left out, as in Open edX.

    The comparison is ``earned * 100`` against ``bound * possible``, not a quotient: 7 of 10 is exactly 70
    (``7 / 10 * 100`` is 70.00000000000001 in floating point and would fail ``<= 70``)."""
    low = 0.0 if low is None else low
    high = 100.0 if high is None else high
    grade, override = PersistentSubsectionGrade, SubsectionGradeOverride
    earned = sa.func.coalesce(override.earned_graded_override, grade.earned_graded)
    possible = sa.func.coalesce(override.possible_graded_override, grade.possible_graded)

    def condition(user_id: Any) -> Any:
        return sa.exists(
            sa.select(grade.id)
            .outerjoin(override, sa.and_(override.user_id == grade.user_id, override.course_id == grade.course_id,
                                         override.usage_key == grade.usage_key))
            .where(grade.course_id == course_id, grade.usage_key == usage_id, grade.user_id == user_id,
                   possible > 0, earned * 100 >= possible * low, earned * 100 <= possible * high))
    return condition


def course_grade_between(course_id: str, low: float | None, high: float | None) -> UserCondition:
    """Learners whose stored course grade is between ``low`` and ``high`` percent (inclusive; ``None`` is no
    bound). As in Open edX, without a lower bound (or with 0 or less) learners with no stored course grade
    (nothing graded yet: 0%) are kept too."""
    grade = PersistentCourseGrade
    bounds = []
    if low is not None:
        bounds.append(grade.percent_grade >= low / 100)
    if high is not None:
        bounds.append(grade.percent_grade <= high / 100)
    include_ungraded = low is None or low <= 0

    def condition(user_id: Any) -> Any:
        if not bounds:
            return sa.true()
        rows = sa.select(grade.id).where(grade.course_id == course_id, grade.user_id == user_id)
        if include_ungraded:  # no row, or its row in range (one row per learner and course)
            return ~sa.exists(rows.where(sa.not_(sa.and_(*bounds))))
        return sa.exists(rows.where(*bounds))
    return condition
