"""When a learner may submit, see correctness, see answers; seeds; due dates and grace periods.

Pure functions of settings and learner state (no XBlock, no database), with
Open edX's meaning (``xmodule/capa_block.py``, ``xmodule/graders.py``):

* ``showanswer``: always, answered, attempted, closed, finished (default),
  correct_or_past_due, past_due, never, after_attempts, after_all_attempts,
  after_all_attempts_or_correct, attempted_no_past_due; in self-paced courses
  the values that depend on a due date are remapped (:data:`SELF_PACED_SHOWANSWER`);
* ``show_correctness``: always, never, past_due;
* ``rerandomize``: never, always, onreset, per_student (legacy ``true`` ->
  always, ``false`` -> per_student);
* closing: all attempts used, or past ``due`` (or the course end) + grace period.
"""

from __future__ import annotations

import hashlib
import os
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any


class SHOWANSWER:
    ALWAYS = "always"
    ANSWERED = "answered"
    ATTEMPTED = "attempted"
    CLOSED = "closed"
    FINISHED = "finished"
    CORRECT_OR_PAST_DUE = "correct_or_past_due"
    PAST_DUE = "past_due"
    NEVER = "never"
    AFTER_SOME_NUMBER_OF_ATTEMPTS = "after_attempts"
    AFTER_ALL_ATTEMPTS = "after_all_attempts"
    AFTER_ALL_ATTEMPTS_OR_CORRECT = "after_all_attempts_or_correct"
    ATTEMPTED_NO_PAST_DUE = "attempted_no_past_due"


SHOWANSWER_VALUES = (
    SHOWANSWER.ALWAYS, SHOWANSWER.ANSWERED, SHOWANSWER.ATTEMPTED, SHOWANSWER.CLOSED, SHOWANSWER.FINISHED,
    SHOWANSWER.CORRECT_OR_PAST_DUE, SHOWANSWER.PAST_DUE, SHOWANSWER.NEVER, SHOWANSWER.AFTER_SOME_NUMBER_OF_ATTEMPTS,
    SHOWANSWER.AFTER_ALL_ATTEMPTS, SHOWANSWER.AFTER_ALL_ATTEMPTS_OR_CORRECT, SHOWANSWER.ATTEMPTED_NO_PAST_DUE,
)

#: Self-paced courses have no due dates that matter: policies depending on one are remapped
#: (Open edX's show-answer override for self-paced courses).
SELF_PACED_SHOWANSWER = {
    SHOWANSWER.ATTEMPTED: SHOWANSWER.ATTEMPTED_NO_PAST_DUE,
    SHOWANSWER.CLOSED: SHOWANSWER.AFTER_ALL_ATTEMPTS,
    SHOWANSWER.CORRECT_OR_PAST_DUE: SHOWANSWER.ANSWERED,
    SHOWANSWER.FINISHED: SHOWANSWER.AFTER_ALL_ATTEMPTS_OR_CORRECT,
    SHOWANSWER.PAST_DUE: SHOWANSWER.NEVER,
}


class SHOW_CORRECTNESS:
    ALWAYS = "always"
    PAST_DUE = "past_due"
    NEVER = "never"


class RANDOMIZATION:
    ALWAYS = "always"
    ONRESET = "onreset"
    NEVER = "never"
    PER_STUDENT = "per_student"


#: Variants of a per_student problem (Open edX's NUM_RANDOMIZATION_BINS) and the cap on random seeds.
NUM_RANDOMIZATION_BINS = 20
MAX_RANDOMIZATION_BINS = 1000


# dates -----------------------------------------------------------------------

_TIMEDELTA = re.compile(r"(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>week|day|hour|minute|second)s?", re.I)


def parse_timedelta(value: Any) -> timedelta | None:
    """A grace period as Open edX writes it ("2 days 5 hours 30 minutes 10 seconds"), or ``None``.

    Numbers are seconds; a ``timedelta`` is kept.
    """
    if value is None or value == "":
        return None
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float):
        return timedelta(seconds=float(value))
    text = str(value).strip().strip('"')
    if not text:
        return None
    try:
        return timedelta(seconds=float(text))
    except ValueError:
        pass
    parts = {match.group("unit").lower() + "s": float(match.group("value")) for match in _TIMEDELTA.finditer(text)}
    if not parts:
        return None
    return timedelta(**parts)


def close_date(due: datetime | None, graceperiod: timedelta | None = None, *,
               course_end: datetime | None = None, self_paced: bool = False) -> datetime | None:
    """When submissions close: the due date (the course end when there is none) plus the grace period.

    Due dates do not apply in self-paced courses; the course end still does.
    """
    date = None if self_paced else due
    date = date or course_end
    if date is not None and graceperiod is not None:
        return date + graceperiod
    return date


def is_past_due(close: datetime | None, now: datetime) -> bool:
    return close is not None and now > close


def used_all_attempts(attempts: int, max_attempts: int | None) -> bool:
    return max_attempts is not None and attempts >= max_attempts


def closed(attempts: int, max_attempts: int | None, close: datetime | None, now: datetime) -> bool:
    """No more submissions: all attempts used, or past the close date."""
    return used_all_attempts(attempts, max_attempts) or is_past_due(close, now)


# correctness and answers -------------------------------------------------------

def correctness_available(show_correctness: str | None, close: datetime | None, now: datetime,
                          staff: bool = False) -> bool:
    """Whether the learner may see whether answers are correct (and the score)."""
    if show_correctness == SHOW_CORRECTNESS.NEVER:
        return False
    if staff:
        return True
    if show_correctness == SHOW_CORRECTNESS.PAST_DUE:
        return close is None or close < now
    return True


def effective_showanswer(showanswer: str | None, self_paced: bool = False) -> str:
    """The show-answer policy in force (self-paced courses remap the due-date ones)."""
    value = showanswer if showanswer is not None else SHOWANSWER.FINISHED
    return SELF_PACED_SHOWANSWER.get(value, value) if self_paced else value


@dataclass(frozen=True)
class Situation:
    """What the policies look at: the learner's state of one problem and its settings, now."""

    attempts: int = 0
    max_attempts: int | None = None
    correct: bool = False  # full points
    done: bool = False
    close: datetime | None = None
    now: datetime | None = None
    staff: bool = False
    self_paced: bool = False

    @property
    def past_due(self) -> bool:
        return self.now is not None and is_past_due(self.close, self.now)

    @property
    def used_all_attempts(self) -> bool:
        return used_all_attempts(self.attempts, self.max_attempts)

    @property
    def closed(self) -> bool:
        return self.used_all_attempts or self.past_due


def answer_available(showanswer: str | None, situation: Situation, *, show_correctness: str | None = "always",
                     attempts_before_showanswer_button: int = 0) -> bool:
    """Whether the Show Answer button works for this learner now (staff see answers unless ``never``)."""
    now = situation.now
    if now is not None and not correctness_available(show_correctness, situation.close, now, situation.staff):
        return False
    policy = effective_showanswer(showanswer, situation.self_paced)
    if policy in ("", SHOWANSWER.NEVER):
        return False
    if situation.staff:
        return True
    attempted = situation.attempts > 0
    if policy == SHOWANSWER.ATTEMPTED:
        return attempted or situation.past_due
    if policy == SHOWANSWER.ANSWERED:
        return situation.correct
    if policy == SHOWANSWER.CLOSED:
        return situation.closed
    if policy == SHOWANSWER.FINISHED:
        return situation.closed or situation.correct
    if policy == SHOWANSWER.CORRECT_OR_PAST_DUE:
        return situation.correct or situation.past_due
    if policy == SHOWANSWER.PAST_DUE:
        return situation.past_due
    if policy == SHOWANSWER.AFTER_SOME_NUMBER_OF_ATTEMPTS:
        required = attempts_before_showanswer_button or 0
        if situation.max_attempts and required >= situation.max_attempts:
            required = situation.max_attempts
        return situation.attempts >= required
    if policy == SHOWANSWER.ALWAYS:
        return True
    if policy == SHOWANSWER.AFTER_ALL_ATTEMPTS:
        return situation.used_all_attempts
    if policy == SHOWANSWER.AFTER_ALL_ATTEMPTS_OR_CORRECT:
        return situation.used_all_attempts or situation.correct
    if policy == SHOWANSWER.ATTEMPTED_NO_PAST_DUE:
        return attempted
    return False


# buttons -----------------------------------------------------------------------

def should_enable_submit_button(situation: Situation, rerandomize: str) -> bool:
    submitted_without_reset = situation.done and normalize_randomization(rerandomize) == RANDOMIZATION.ALWAYS
    return not (situation.closed or submitted_without_reset)


def should_show_reset_button(situation: Situation, rerandomize: str, show_reset_button: bool) -> bool:
    survey = situation.max_attempts == 0
    if situation.closed and not survey:
        return False
    if normalize_randomization(rerandomize) in (RANDOMIZATION.ALWAYS, RANDOMIZATION.ONRESET) and situation.done:
        return True
    if situation.correct and situation.done:
        return False
    return bool(show_reset_button)


def should_show_save_button(situation: Situation, rerandomize: str, force_save_button: bool = False) -> bool:
    if force_save_button:
        return not situation.closed
    survey = situation.max_attempts == 0
    randomization = normalize_randomization(rerandomize)
    needs_reset = situation.done and randomization == RANDOMIZATION.ALWAYS
    if situation.max_attempts is None and randomization != RANDOMIZATION.ALWAYS:
        return False
    return not ((situation.closed and not survey) or needs_reset)


# submission timer --------------------------------------------------------------

def wait_remaining(last_submission: datetime | None, wait_seconds: int | None, now: datetime) -> int:
    """Seconds the learner must still wait before the next submission (0: may submit)."""
    if last_submission is None or not wait_seconds:
        return 0
    elapsed = (now - last_submission).total_seconds()
    if elapsed >= wait_seconds:
        return 0
    return max(1, int(wait_seconds - elapsed))


def pretty_seconds(num_seconds: int, ngettext: Callable[[str, str, int], str] | None = None) -> str:
    """ "3 minutes 4 seconds" (Open edX's wording)."""
    plural = ngettext or (lambda one, many, n: one if n == 1 else many)
    hours, rest = divmod(int(num_seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    parts = []
    if hours:
        parts.append(plural("{n} hour", "{n} hours", hours).format(n=hours))
    if minutes:
        parts.append(plural("{n} minute", "{n} minutes", minutes).format(n=minutes))
    if seconds or not (hours or minutes):
        parts.append(plural("{n} second", "{n} seconds", seconds).format(n=seconds))
    return " ".join(parts)


# randomization -----------------------------------------------------------------

def normalize_randomization(value: Any) -> str:
    """Open edX's ``Randomization`` field: "" and "true" mean always, "false" per_student."""
    if value is None:
        return RANDOMIZATION.NEVER
    if isinstance(value, bool):
        return RANDOMIZATION.ALWAYS if value else RANDOMIZATION.PER_STUDENT
    text = str(value).strip().lower()
    if text in ("", "true"):
        return RANDOMIZATION.ALWAYS
    if text == "false":
        return RANDOMIZATION.PER_STUDENT
    return text


def is_randomized(value: Any) -> bool:
    """Whether a problem with this ``rerandomize`` setting has variants: its learners' answers then carry
    the seed as their ``variant`` (Open edX's submission metadata and answer distribution)."""
    return normalize_randomization(value) != RANDOMIZATION.NEVER


def randomization_bin(seed: Any, problem_id: Any) -> int:
    """One of :data:`NUM_RANDOMIZATION_BINS` variants, from the learner and the problem."""
    digest = hashlib.sha256()
    digest.update(str(seed).encode())
    digest.update(str(problem_id).encode())
    return int(digest.hexdigest()[:7], 16) % NUM_RANDOMIZATION_BINS


def choose_seed(rerandomize: Any, *, user_id: int | None, problem_id: str,
                random_bytes: Callable[[int], bytes] = os.urandom) -> int:
    """A new seed: 1 for ``never``, the learner's bin for ``per_student``, random otherwise."""
    policy = normalize_randomization(rerandomize)
    if policy == RANDOMIZATION.NEVER:
        return 1
    if policy == RANDOMIZATION.PER_STUDENT:
        return randomization_bin(user_id or 0, problem_id.encode("utf-8"))
    return struct.unpack("i", random_bytes(4))[0] % MAX_RANDOMIZATION_BINS


def reseeds_on_reset(rerandomize: Any) -> bool:
    return normalize_randomization(rerandomize) in (RANDOMIZATION.ALWAYS, RANDOMIZATION.ONRESET)


# scores ------------------------------------------------------------------------

def weighted_score(raw_earned: float, raw_possible: float, weight: float | None) -> tuple[float, float]:
    """(earned, possible) after the problem weight (``None``: the raw points)."""
    if weight is None or raw_possible <= 0:
        return float(raw_earned), float(raw_possible)
    if weight == 0:
        return 0.0, 0.0
    return raw_earned * weight / raw_possible, float(weight)
