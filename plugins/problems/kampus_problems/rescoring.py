"""Course staff's actions on a learner's CAPA problem: rescore the stored answers, override the score
(Open edX's ``rescore_problem`` and ``override_problem_score`` instructor tasks).

Both act through the content runtime as the learner: the block's state and the score are written in one
transaction by the runtime's normal scores path, and ``kampus_score_changed`` fires after the commit (so
the LMS recomputes the learner's grade).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kampus_content.api import CourseNotFound, KampusRuntime, VersionNotFound, get_structure
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import UsageKey
from xblock.exceptions import NoSuchUsage

from kampus import current_kampus, db
from kampus.identity.models import User


class RescoreError(ValueError):
    """The problem cannot be rescored or overridden for this learner (the message says why)."""


@dataclass(frozen=True)
class RescoreResult:
    """A learner's weighted score on the problem before and after; ``skipped`` when never answered."""

    user_id: int
    usage_id: str
    earned_before: float
    earned: float
    possible: float
    skipped: bool = False


def _runtime_and_block(user_id: int, usage_id: str, db_session: Any) -> tuple[KampusRuntime, Any]:
    try:
        usage_key = UsageKey.from_string(usage_id)
    except InvalidKeyError:
        raise RescoreError(f"{usage_id!r} is not a usage id") from None
    user = db_session.get(User, user_id)
    if user is None:
        raise RescoreError(f"user {user_id} does not exist")
    try:
        structure = get_structure(str(usage_key.course_key))
    except (CourseNotFound, VersionNotFound):
        raise RescoreError(f"course {usage_key.course_key} is not published") from None
    runtime = KampusRuntime(structure, user=user, locale=str(current_kampus().settings.default_locale),
                            db_session=db_session)
    try:
        block = runtime.get_block(usage_key)
    except NoSuchUsage:
        raise RescoreError(f"{usage_id} is not in the published course") from None
    if not callable(getattr(block, "publish_grade", None)) or not hasattr(block, "lcp"):
        raise RescoreError(f"{usage_id} is not a problem that can be rescored")
    return runtime, block


def _commit(runtime: KampusRuntime, block: Any, db_session: Any, message: str) -> None:
    block.save()
    runtime.flush(message=message)
    db_session.commit()
    runtime.after_commit()


def rescore_problem(user_id: int, usage_id: str, *, only_if_higher: bool = False) -> RescoreResult:
    """Grade the learner's stored answers of the problem again and store the new score (with
    ``only_if_higher``, a lower one is not stored). A learner who never answered is ``skipped``.
    Raises :class:`RescoreError`."""
    db_session = db.session()
    runtime, block = _runtime_and_block(user_id, usage_id, db_session)
    before, possible = block.weighted()
    if not block.done or not block.student_answers:
        db_session.rollback()
        return RescoreResult(user_id, usage_id, before, before, possible, skipped=True)
    lcp = block.lcp
    if lcp.is_queued():
        db_session.rollback()
        raise RescoreError(f"{usage_id} waits for an external grader and cannot be rescored")
    try:
        lcp.grade_answers(dict(block.student_answers))
    except Exception as err:  # a broken script or answer: say so, store nothing
        db_session.rollback()
        raise RescoreError(f"rescoring {usage_id} failed: {err}") from None
    old_score = dict(block.score or {})
    block.set_state_from_lcp()
    block.set_score_from_lcp()
    earned, possible = block.weighted()
    if only_if_higher and earned < before:
        block.score = old_score
        earned, possible = block.weighted()
    runtime.publish(block, "grade", {"value": earned, "max_value": possible, "only_if_higher": only_if_higher,
                                     "raw_earned": (block.score or {}).get("raw_earned", 0.0),
                                     "raw_possible": (block.score or {}).get("raw_possible", 0.0)})
    runtime.publish(block, "edx.problem.rescored", {"problem_id": usage_id, "orig_score": before,
                                                    "new_score": earned, "orig_total": possible,
                                                    "new_total": possible, "success": "correct"})
    _commit(runtime, block, db_session, "rescored")
    return RescoreResult(user_id, usage_id, before, earned, possible)


def override_problem_score(user_id: int, usage_id: str, score: float) -> RescoreResult:
    """Set the learner's weighted score of the problem to ``score`` (0 up to the problem's weighted maximum).
    Raises :class:`RescoreError` for a score out of range or a learner who never answered (Open edX)."""
    db_session = db.session()
    runtime, block = _runtime_and_block(user_id, usage_id, db_session)
    before, _possible = block.weighted()
    maximum = float(block.max_score())
    if not (0 <= score <= maximum):
        db_session.rollback()
        raise RescoreError(f"score must be between 0 and {maximum:g}")
    if not block.done:
        db_session.rollback()
        raise RescoreError("the learner has not answered this problem")
    raw_possible = float(block.lcp.get_max_score())
    raw_earned = score * raw_possible / maximum if maximum else 0.0
    block.score = {"raw_earned": raw_earned, "raw_possible": raw_possible}
    earned, possible = block.weighted()
    runtime.publish(block, "grade", {"value": earned, "max_value": possible, "only_if_higher": False,
                                     "raw_earned": raw_earned, "raw_possible": raw_possible})
    runtime.publish(block, "edx.problem.score_overridden", {"problem_id": usage_id, "orig_score": before,
                                                            "new_score": earned, "orig_total": possible})
    _commit(runtime, block, db_session, "score overridden")
    return RescoreResult(user_id, usage_id, before, earned, possible)
