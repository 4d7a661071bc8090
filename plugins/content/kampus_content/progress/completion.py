"""Block completion, with Open edX's semantics (``openedx/completion`` and ``xblock.completable``).

Each block class has a completion mode (:class:`xblock.completable.XBlockCompletionMode`):

* ``completable`` (the default): a leaf whose completion, 0.0 to 1.0, is stored
  per learner. How it becomes complete depends on the block:

  - a block with ``has_custom_completion`` (video) publishes a ``completion``
    event itself (the video player, when watched to the end or 95 %);
  - a scored block (``has_score``: problems) is complete once it is scored:
    the runtime records 1.0 when it publishes a ``grade`` event;
  - any other block (html) is complete once viewed: its JavaScript calls the
    ``publish_completion`` handler (:func:`completion_from_browser`) when the
    learner has seen it.
* ``aggregator`` (course, chapter, sequential, vertical): its completion is
  computed from its leaves (:mod:`kampus_content.progress.aggregation`);
* ``excluded`` (discussion): never counted.

Only increases are stored: a lower completion than the stored one leaves the
row as it is (a learner who re-watches a video does not lose its completion).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from xblock.completable import XBlockCompletionMode
from xblock.exceptions import JsonHandlerError

from kampus import db
from kampus.db import utcnow
from kampus_content.progress.models import BlockCompletion, insert_if_absent

COMPLETABLE = XBlockCompletionMode.COMPLETABLE
AGGREGATOR = XBlockCompletionMode.AGGREGATOR
EXCLUDED = XBlockCompletionMode.EXCLUDED


class InvalidCompletion(ValueError):
    """A completion that is not a number from 0.0 to 1.0."""


def completion_mode(block_or_class: Any) -> str:
    """The completion mode of a block or block class; a placeholder of a block type that failed to
    load is excluded (no learner can complete it)."""
    if getattr(block_or_class, "unavailable_type", None):
        return EXCLUDED
    return str(XBlockCompletionMode.get_mode(block_or_class))


def completes_on_score(block_or_class: Any) -> bool:
    """Whether publishing a score completes the block (completable, no custom completion)."""
    return completion_mode(block_or_class) == COMPLETABLE and not getattr(
        block_or_class, "has_custom_completion", False)


def completable_by_viewing(block_or_class: Any) -> bool:
    """Whether the block is complete once viewed (Open edX's ``can_mark_block_complete_on_view``):
    completable, without custom completion and without a score."""
    return completes_on_score(block_or_class) and not getattr(block_or_class, "has_score", False)


def completion_value(value: Any) -> float:
    """A completion from an event or a request: a number from 0.0 to 1.0 (else :class:`InvalidCompletion`)."""
    if isinstance(value, bool) or value is None:
        raise InvalidCompletion(f"completion must be a number from 0.0 to 1.0, not {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidCompletion(f"completion must be a number from 0.0 to 1.0, not {value!r}") from None
    if not math.isfinite(number) or not 0.0 <= number <= 1.0:
        raise InvalidCompletion(f"completion must be a number from 0.0 to 1.0, not {value!r}")
    return number


def _row(db_session: Session, user_id: int, usage_key: str) -> BlockCompletion | None:
    return db_session.scalar(
        sa.select(BlockCompletion)
        .where(BlockCompletion.user_id == user_id, BlockCompletion.usage_key == usage_key)
        .with_for_update()
    )


def record_completion(
    db_session: Session, *, user_id: int, course_key: str, usage_key: str, block_type: str, completion: float
) -> float | None:
    """Store a learner's completion of a block in ``db_session`` if it is higher than the stored one
    (the caller commits). Returns the stored value when it changed, else ``None``."""
    completion = completion_value(completion)
    now = utcnow()
    if insert_if_absent(db_session, BlockCompletion, {
        "user_id": user_id, "course_key": course_key, "usage_key": usage_key, "block_type": block_type,
        "completion": completion, "created": now, "modified": now,
    }):
        return completion
    row = _row(db_session, user_id, usage_key)  # stored before (or by a concurrent request)
    if row is None:
        raise RuntimeError(f"the completion of user {user_id} on {usage_key} vanished while it was recorded")
    if completion <= row.completion:
        return None
    row.completion, row.modified = completion, utcnow()
    db_session.flush()
    return completion


def completion_from_browser(block: Any, data: Any) -> dict[str, str]:
    """The ``publish_completion`` handler's work (Open edX's ``LmsBlockMixin.publish_completion``):
    publish the ``completion`` event a block's JavaScript sends, ``{"completion": 1.0}``.

    A block with custom completion may send any value from 0.0 to 1.0; a block
    completable by viewing only sends 1.0. Any other block, or bad data, is
    answered with a 400 (:class:`~xblock.exceptions.JsonHandlerError`).
    """
    if not isinstance(data, dict) or "completion" not in data:
        raise JsonHandlerError(400, 'Send {"completion": <a number from 0.0 to 1.0>}.')
    try:
        value = completion_value(data["completion"])
    except InvalidCompletion as exc:
        raise JsonHandlerError(400, str(exc)) from None
    custom = completion_mode(block) == COMPLETABLE and getattr(block, "has_custom_completion", False)
    if not custom:
        if not completable_by_viewing(block):
            raise JsonHandlerError(400, "Block not configured for completion on view.")
        if value != 1.0:
            raise JsonHandlerError(400, "A block completed by viewing is complete (1.0) or not reported.")
    block.runtime.publish(block, "completion", {"completion": value})
    return {"result": "ok"}


def completion_of(user_id: int, usage_key: str, *, db_session: Session | None = None) -> float:
    """A learner's completion of one block (0.0 when nothing is stored)."""
    row = (db_session or db.session()).scalar(
        sa.select(BlockCompletion.completion)
        .where(BlockCompletion.user_id == user_id, BlockCompletion.usage_key == str(usage_key))
    )
    return float(row or 0.0)


#: The statements of :func:`course_completions`, built once (the unit and progress pages run them on every
#: view; parameters bound per call).
_COURSE_COMPLETIONS = sa.select(BlockCompletion.user_id, BlockCompletion.usage_key, BlockCompletion.completion).where(
    BlockCompletion.course_key == sa.bindparam("course_key"),
    BlockCompletion.user_id.in_(sa.bindparam("user_ids", expanding=True)),
)
_BLOCK_COMPLETIONS = _COURSE_COMPLETIONS.where(
    BlockCompletion.usage_key.in_(sa.bindparam("usage_keys", expanding=True))
)


def course_completions(
    course_key: str, user_ids: Iterable[int], *, db_session: Session | None = None,
    usage_keys: Iterable[str] | None = None,
) -> dict[int, dict[str, float]]:
    """Every stored completion in ``course_key`` of the learners ``user_ids``, in one query:
    ``{user_id: {usage_key: completion}}`` (every asked user is a key). ``usage_keys``: only those
    blocks' completions (a page that shows a few blocks reads no more, however far the learner got)."""
    wanted = sorted(set(user_ids))
    result: dict[int, dict[str, float]] = {user_id: {} for user_id in wanted}
    if not wanted:
        return result
    params: dict[str, Any] = {"course_key": str(course_key), "user_ids": wanted}
    statement = _COURSE_COMPLETIONS
    if usage_keys is not None:
        params["usage_keys"] = sorted({str(key) for key in usage_keys})
        if not params["usage_keys"]:
            return result
        statement = _BLOCK_COMPLETIONS
    rows = (db_session or db.session()).execute(statement, params)
    for user_id, usage_key, completion in rows:
        result[user_id][usage_key] = float(completion)
    return result


def learner_completions(
    user_id: int, course_keys: Iterable[str], *, db_session: Session | None = None
) -> dict[str, dict[str, float]]:
    """Every stored completion of one learner in each course of ``course_keys``, in one query:
    ``{course_key: {usage_key: completion}}`` (every asked course is a key)."""
    wanted = sorted({str(course_key) for course_key in course_keys})
    result: dict[str, dict[str, float]] = {course_key: {} for course_key in wanted}
    if not wanted:
        return result
    rows = (db_session or db.session()).execute(
        sa.select(BlockCompletion.course_key, BlockCompletion.usage_key, BlockCompletion.completion)
        .where(BlockCompletion.user_id == user_id, BlockCompletion.course_key.in_(wanted))
    )
    for course_key, usage_key, completion in rows:
        result[course_key][usage_key] = float(completion)
    return result
