"""The public API of the problems plugin: what other plugins (the XQueue plugin) import.

* :func:`apply_queue_reply`: deliver an external grader's reply (``{"correct", "score", "msg"}``) to the
  learner's problem that queued it: the problem's state and score are updated through the content runtime,
  so ``kampus_score_changed`` fires (and the LMS regrades) once the caller commits.
* :class:`ProblemQueue`, :func:`default_queue_name`: how a problem reaches the queues of the
  ``kampus_external_queues`` hook (see :mod:`kampus_problems.xqueue`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kampus_content.api import CourseNotFound, KampusRuntime, VersionNotFound, get_structure
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import UsageKey
from xblock.exceptions import NoSuchUsage

from kampus.current import current_kampus
from kampus.identity.models import User
from kampus_problems.xqueue import SCORE_UPDATE, ProblemQueue, default_queue_name


class QueueReplyError(LookupError):
    """The reply has nowhere to go: the learner, the course or the problem no longer exists."""


@dataclass
class AppliedReply:
    """The outcome of :func:`apply_queue_reply`: whether the problem took the reply (its queuekey matched)
    and what to call once the caller committed."""

    applied: bool
    after_commit: Callable[[], None]


def apply_queue_reply(user_id: int, usage_id: str, queuekey: str, reply: str, *, db_session: Any) -> AppliedReply:
    """Apply a grader's ``reply`` to ``user_id``'s problem ``usage_id`` queued under ``queuekey``.

    The learner's state and score are written into ``db_session`` (not committed). The caller commits, then
    calls ``after_commit()`` (``kampus_score_changed`` for a changed score). A reply whose queuekey is not the
    problem's current one (the learner submitted again, or it was applied already) changes nothing:
    ``applied`` is False. Raises :class:`QueueReplyError` when the target no longer exists.
    """
    try:
        usage_key = UsageKey.from_string(usage_id)
    except InvalidKeyError as err:
        raise QueueReplyError(f"{usage_id!r} is not a usage id") from err
    user = db_session.get(User, user_id)
    if user is None:
        raise QueueReplyError(f"user {user_id} does not exist")
    try:
        structure = get_structure(str(usage_key.course_key))
    except (CourseNotFound, VersionNotFound) as err:
        raise QueueReplyError(f"course {usage_key.course_key} is not published") from err
    runtime = KampusRuntime(structure, user=user, user_is_staff=False,
                            locale=str(current_kampus().settings.default_locale), db_session=db_session)
    try:
        block = runtime.get_block(usage_key)
    except NoSuchUsage as err:
        raise QueueReplyError(f"{usage_id} is not in the published course") from err
    apply = getattr(block, "apply_queue_reply", None)
    if apply is None:
        raise QueueReplyError(f"{usage_id} does not take grader replies")
    applied = bool(apply(queuekey, reply))
    block.save()  # XBlock fields reach the field data on save()
    runtime.flush(message="external grader reply")
    return AppliedReply(applied, runtime.after_commit)


__all__ = ["SCORE_UPDATE", "AppliedReply", "ProblemQueue", "QueueReplyError", "apply_queue_reply",
           "default_queue_name"]
