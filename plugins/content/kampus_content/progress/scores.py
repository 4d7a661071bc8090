"""Learner scores: written with the block's state, read in batches for the LMS and reports.

A block reports a score by publishing a ``grade`` event (``value``,
``max_value``, optionally ``only_if_higher``). The runtime records it with
:func:`record_score` in the **request's session**, the one that holds the
block's changed ``user_state``, so the score and the state commit or roll back
together. Recording is idempotent: the same score twice leaves one row,
unchanged, and reports no change. With ``only_if_higher`` a lower score (by
its earned/possible ratio, as Open edX's ``is_score_higher_or_equal``) does not
replace a higher one.

``kampus_score_changed`` is called only after the commit (by
:meth:`KampusRuntime.after_commit`), so that a listener reading the database
sees the new score, and never for a score that was rolled back.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from kampus import current_kampus, db
from kampus.db import utcnow
from kampus_content.progress.models import Score, insert_if_absent


class InvalidScore(ValueError):
    """A ``grade`` event whose points are not finite non-negative numbers."""


@dataclass(frozen=True)
class ScoreRecord:
    """A learner's stored score on one block."""

    user_id: int
    course_key: str
    usage_key: str
    block_type: str
    earned: float
    possible: float
    first_attempted: datetime
    modified: datetime


@dataclass(frozen=True)
class ScoreChange:
    """A score that was written: the arguments of ``kampus_score_changed``."""

    user_id: int
    course_id: str
    usage_id: str
    earned: float
    possible: float
    only_if_higher: bool


def score_points(value: Any, max_value: Any) -> tuple[float, float]:
    """The ``(earned, possible)`` of a ``grade`` event's ``value`` and ``max_value``.

    Raises :class:`InvalidScore` unless both are finite numbers, not negative.
    """
    points = []
    for name, raw in (("value", value), ("max_value", max_value)):
        if isinstance(raw, bool) or raw is None:
            raise InvalidScore(f"the grade event's {name} must be a number, not {raw!r}")
        try:
            number = float(raw)
        except (TypeError, ValueError):
            raise InvalidScore(f"the grade event's {name} must be a number, not {raw!r}") from None
        if not math.isfinite(number) or number < 0:
            raise InvalidScore(f"the grade event's {name} must be finite and not negative, not {raw!r}")
        points.append(number)
    return points[0], points[1]


def _ratio(earned: float, possible: float) -> float:
    return earned / possible if possible > 0 else 0.0


def is_score_higher_or_equal(earned1: float, possible1: float, earned2: float, possible2: float) -> bool:
    """Whether the second score is at least the first, by their earned/possible ratios
    (an undefined ratio, no points possible, counts as zero)."""
    return _ratio(earned2, possible2) >= _ratio(earned1, possible1)


def _record(row: Score) -> ScoreRecord:
    return ScoreRecord(row.user_id, row.course_key, row.usage_key, row.block_type, row.earned, row.possible,
                       row.first_attempted, row.modified)


def _row(db_session: Session, user_id: int, usage_key: str, *, lock: bool = False) -> Score | None:
    query = sa.select(Score).where(Score.user_id == user_id, Score.usage_key == usage_key)
    if lock:
        query = query.with_for_update()
    return db_session.scalar(query)


def record_score(
    db_session: Session,
    *,
    user_id: int,
    course_key: str,
    usage_key: str,
    block_type: str,
    earned: float,
    possible: float,
    only_if_higher: bool = False,
) -> ScoreChange | None:
    """Write a learner's score on a block into ``db_session`` (the caller commits).

    Returns the change to announce, or ``None`` when nothing changed: the same
    score again, or a lower one under ``only_if_higher``.
    """
    earned, possible = score_points(earned, possible)
    change = ScoreChange(user_id, course_key, usage_key, earned, possible, only_if_higher)
    now = utcnow()
    inserted = insert_if_absent(db_session, Score, {
        "user_id": user_id, "course_key": course_key, "usage_key": usage_key, "block_type": block_type,
        "earned": earned, "possible": possible, "first_attempted": now, "modified": now,
    })
    if inserted:
        return change
    row = _row(db_session, user_id, usage_key, lock=True)  # stored before (or by a concurrent request)
    if row is None:
        raise RuntimeError(f"the score of user {user_id} on {usage_key} vanished while it was recorded")
    if (row.earned, row.possible) == (earned, possible):
        return None
    if only_if_higher and not is_score_higher_or_equal(row.earned, row.possible, earned, possible):
        return None
    row.earned, row.possible, row.modified = earned, possible, utcnow()
    db_session.flush()
    return change


def announce_score_changes(changes: Iterable[ScoreChange]) -> None:
    """Call ``kampus_score_changed`` for each committed change, in order."""
    hook = current_kampus().hook
    for change in changes:
        hook.kampus_score_changed(
            user_id=change.user_id, course_id=change.course_id, usage_id=change.usage_id,
            earned=change.earned, possible=change.possible, only_if_higher=change.only_if_higher,
        )


def score_of(user_id: int, usage_key: str, *, db_session: Session | None = None) -> ScoreRecord | None:
    """A learner's stored score on one block, or ``None`` when the block never published one."""
    row = _row(db_session or db.session(), user_id, str(usage_key))
    return None if row is None else _record(row)


#: The statement of :func:`course_scores`, built once (every progress page runs it; parameters bound per call).
#: Table columns, not ORM attributes: run on the session's connection, the rows skip the ORM's loading
#: machinery (a regrade batch reads tens of thousands; that machinery was three quarters of the read).
_SCORE = Score.__table__
_COURSE_SCORES = sa.select(
    _SCORE.c.user_id, _SCORE.c.course_key, _SCORE.c.usage_key, _SCORE.c.block_type, _SCORE.c.earned,
    _SCORE.c.possible, _SCORE.c.first_attempted, _SCORE.c.modified,
).where(_SCORE.c.course_key == sa.bindparam("course_key"),
        _SCORE.c.user_id.in_(sa.bindparam("user_ids", expanding=True)))


def course_scores(
    course_key: str, user_ids: Iterable[int], *, db_session: Session | None = None
) -> dict[int, dict[str, ScoreRecord]]:
    """Every stored score in ``course_key`` of the learners ``user_ids``, in one query:
    ``{user_id: {usage_key: ScoreRecord}}`` (every asked user is a key, maybe with no scores)."""
    wanted = sorted(set(user_ids))
    result: dict[int, dict[str, ScoreRecord]] = {user_id: {} for user_id in wanted}
    if not wanted:
        return result
    # plain rows, not ORM objects: a progress page reads hundreds, and building entities cost most of it
    session = db_session or db.session()
    session.flush()  # what the session's own execute() would do first (autoflush)
    connection = session.connection()
    rows = connection.execute(_COURSE_SCORES, {"course_key": str(course_key), "user_ids": wanted})
    for row in rows:
        result[row.user_id][row.usage_key] = ScoreRecord(*row)
    return result
