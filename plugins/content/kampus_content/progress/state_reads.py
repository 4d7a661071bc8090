"""Reading many learners' block state at once, for reports (problem responses, answer distributions)."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from kampus.current import current_kampus
from kampus_content.runtime.user_state import StudentModule


def learner_states(course_id: str, user_ids: list[int], *, block_type: str | None = None,
                   usage_ids: list[str] | None = None) -> dict[int, dict[str, dict[str, Any]]]:
    """The stored ``user_state`` of ``user_ids`` in the course, ``{user_id: {usage_id: state}}``, in **one
    query**; only blocks of ``block_type`` (e.g. ``"problem"``) and of ``usage_ids`` when given. Learners
    without state are absent; a state that is not a JSON object reads as ``{}``."""
    if not user_ids:
        return {}
    query = sa.select(StudentModule.user_id, StudentModule.usage_key, StudentModule.state).where(
        StudentModule.course_key == str(course_id), StudentModule.user_id.in_(sorted(set(user_ids))))
    if block_type is not None:
        query = query.where(StudentModule.block_type == block_type)
    if usage_ids is not None:
        query = query.where(StudentModule.usage_key.in_(sorted(set(usage_ids)) or [""]))
    states: dict[int, dict[str, dict[str, Any]]] = {}
    with current_kampus().db.session_scope() as db_session:
        for user_id, usage_key, text in db_session.execute(query):
            try:
                state = json.loads(text or "{}")
            except ValueError:
                state = {}
            states.setdefault(int(user_id), {})[usage_key] = state if isinstance(state, dict) else {}
    return states
