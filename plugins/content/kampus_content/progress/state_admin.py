"""What course staff do to a learner's state of a block (Open edX's ``reset_student_attempts``):
reset the attempts, or delete the state with its score (completion, only ever raised, stays).

Both write in one transaction; a deleted score is announced with ``kampus_score_changed`` (0 earned)
after the commit, so the learner's grade is recomputed as for any score change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa

from kampus import current_kampus
from kampus_content.progress.models import Score
from kampus_content.progress.scores import ScoreChange, announce_score_changes
from kampus_content.runtime.user_state import StudentModule


class NoLearnerState(LookupError):
    """The learner has no state of that block (Open edX: the module does not exist)."""


@dataclass(frozen=True)
class StateChange:
    """What a reset changed: the attempts before, whether a score was deleted."""

    user_id: int
    usage_id: str
    attempts_before: int
    score_deleted: bool


def reset_attempts(course_id: str, user_id: int, usage_id: str) -> StateChange:
    """Set the learner's ``attempts`` of the block to 0 (answers and score kept). Raises :class:`NoLearnerState`."""
    with current_kampus().db.session_scope() as db_session:
        row = db_session.scalar(sa.select(StudentModule).where(
            StudentModule.user_id == user_id, StudentModule.usage_key == usage_id,
            StudentModule.course_key == course_id).with_for_update())
        if row is None:
            raise NoLearnerState(usage_id)
        try:
            state = json.loads(row.state or "{}")
        except ValueError:
            state = {}
        state = state if isinstance(state, dict) else {}
        before = int(state.get("attempts") or 0)
        state["attempts"] = 0
        row.state = json.dumps(state, sort_keys=True)
    return StateChange(user_id, usage_id, before, False)


def delete_learner_state(course_id: str, user_id: int, usage_id: str) -> StateChange:
    """Delete the learner's state of the block and its score (one transaction; completion stays), then announce
    the score change. Raises :class:`NoLearnerState` when there was neither state nor score."""
    with current_kampus().db.session_scope() as db_session:
        row = db_session.scalar(sa.select(StudentModule).where(
            StudentModule.user_id == user_id, StudentModule.usage_key == usage_id,
            StudentModule.course_key == course_id).with_for_update())
        score = db_session.scalar(sa.select(Score).where(Score.user_id == user_id, Score.usage_key == usage_id,
                                                         Score.course_key == course_id))
        if row is None and score is None:
            raise NoLearnerState(usage_id)
        before = 0
        if row is not None:
            try:
                before = int((json.loads(row.state or "{}") or {}).get("attempts") or 0)
            except (ValueError, AttributeError, TypeError):
                before = 0
            db_session.delete(row)
        change = None
        if score is not None:
            change = ScoreChange(user_id, course_id, usage_id, 0.0, float(score.possible), False)
            db_session.delete(score)
    if change is not None:
        announce_score_changes([change])
    return StateChange(user_id, usage_id, before, change is not None)


def learner_state(course_id: str, user_id: int, usage_id: str) -> dict[str, object] | None:
    """The learner's stored ``user_state`` of the block (a dict), or ``None``."""
    with current_kampus().db.session_scope() as db_session:
        text = db_session.scalar(sa.select(StudentModule.state).where(
            StudentModule.user_id == user_id, StudentModule.usage_key == usage_id,
            StudentModule.course_key == course_id))
    if text is None:
        return None
    try:
        state = json.loads(text)
    except ValueError:
        return {}
    return state if isinstance(state, dict) else {}


def learners_with_state(course_id: str, usage_id: str) -> list[int]:
    """The learners who have state or a score of the block (whom a rescore for everyone visits)."""
    with current_kampus().db.session_scope() as db_session:
        ids = set(db_session.scalars(sa.select(StudentModule.user_id).where(
            StudentModule.usage_key == usage_id, StudentModule.course_key == course_id)))
        ids.update(db_session.scalars(sa.select(Score.user_id).where(Score.usage_key == usage_id,
                                                                    Score.course_key == course_id)))
    return sorted(ids)
