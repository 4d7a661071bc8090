"""Show answer, show correctness, attempts, wait time, due date with grace period, randomization seeds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from kampus_problems import policies
from kampus_problems.policies import SHOWANSWER, Situation

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
PAST = NOW - timedelta(days=1)
FUTURE = NOW + timedelta(days=1)


def situation(**kwargs) -> Situation:
    return Situation(now=NOW, **kwargs)


FRESH = situation()
ATTEMPTED = situation(attempts=1, done=True)
CORRECT = situation(attempts=1, done=True, correct=True)
EXHAUSTED = situation(attempts=2, max_attempts=2, done=True)
PAST_DUE = situation(close=PAST)
PAST_DUE_ATTEMPTED = situation(attempts=1, done=True, close=PAST)
BEFORE_DUE = situation(attempts=1, done=True, close=FUTURE)


@pytest.mark.parametrize(("policy", "expected"), [
    # policy: fresh, attempted, correct, exhausted, past due, past due attempted, before due (attempted)
    (SHOWANSWER.ALWAYS, (True, True, True, True, True, True, True)),
    (SHOWANSWER.NEVER, (False, False, False, False, False, False, False)),
    (SHOWANSWER.ANSWERED, (False, False, True, False, False, False, False)),
    (SHOWANSWER.ATTEMPTED, (False, True, True, True, True, True, True)),
    (SHOWANSWER.ATTEMPTED_NO_PAST_DUE, (False, True, True, True, False, True, True)),
    (SHOWANSWER.CLOSED, (False, False, False, True, True, True, False)),
    (SHOWANSWER.FINISHED, (False, False, True, True, True, True, False)),
    (SHOWANSWER.CORRECT_OR_PAST_DUE, (False, False, True, False, True, True, False)),
    (SHOWANSWER.PAST_DUE, (False, False, False, False, True, True, False)),
    (SHOWANSWER.AFTER_ALL_ATTEMPTS, (False, False, False, True, False, False, False)),
    (SHOWANSWER.AFTER_ALL_ATTEMPTS_OR_CORRECT, (False, False, True, True, False, False, False)),
])
def test_every_showanswer_value(policy, expected):
    cases = (FRESH, ATTEMPTED, CORRECT, EXHAUSTED, PAST_DUE, PAST_DUE_ATTEMPTED, BEFORE_DUE)
    assert tuple(policies.answer_available(policy, case) for case in cases) == expected


def test_after_attempts_counts_attempts_capped_by_max():
    assert not policies.answer_available("after_attempts", situation(attempts=1),
                                         attempts_before_showanswer_button=2)
    assert policies.answer_available("after_attempts", situation(attempts=2), attempts_before_showanswer_button=2)
    # asking for more attempts than allowed: the max is enough
    assert policies.answer_available("after_attempts", situation(attempts=3, max_attempts=3),
                                     attempts_before_showanswer_button=5)
    assert policies.answer_available("after_attempts", FRESH, attempts_before_showanswer_button=0)


def test_staff_see_answers_unless_never():
    staff = situation(staff=True)
    assert policies.answer_available(SHOWANSWER.PAST_DUE, staff)
    assert policies.answer_available(SHOWANSWER.FINISHED, staff)
    assert not policies.answer_available(SHOWANSWER.NEVER, staff)


@pytest.mark.parametrize(("policy", "mapped"), [
    ("attempted", "attempted_no_past_due"),
    ("closed", "after_all_attempts"),
    ("correct_or_past_due", "answered"),
    ("finished", "after_all_attempts_or_correct"),
    ("past_due", "never"),
    ("always", "always"),
    ("answered", "answered"),
    ("after_attempts", "after_attempts"),
])
def test_self_paced_remapping(policy, mapped):
    assert policies.effective_showanswer(policy, self_paced=True) == mapped
    assert policies.effective_showanswer(policy, self_paced=False) == policy


def test_self_paced_answers_ignore_due_dates():
    paced = situation(close=PAST, self_paced=True)
    assert policies.answer_available("past_due", situation(close=PAST))
    assert not policies.answer_available("past_due", paced)
    assert not policies.answer_available("attempted", paced)
    assert policies.answer_available("attempted", situation(attempts=1, close=PAST, self_paced=True))
    # and due dates do not close self-paced problems
    assert policies.close_date(PAST, None, self_paced=True) is None
    assert policies.close_date(PAST, None, course_end=FUTURE, self_paced=True) == FUTURE


def test_show_correctness():
    assert policies.correctness_available("always", PAST, NOW)
    assert policies.correctness_available(None, None, NOW)
    assert not policies.correctness_available("never", None, NOW)
    assert not policies.correctness_available("never", None, NOW, staff=True)
    assert not policies.correctness_available("past_due", FUTURE, NOW)
    assert policies.correctness_available("past_due", FUTURE, NOW, staff=True)
    assert policies.correctness_available("past_due", PAST, NOW)
    assert policies.correctness_available("past_due", None, NOW)
    # hidden correctness hides answers too
    assert not policies.answer_available("always", situation(close=FUTURE), show_correctness="past_due")


def test_attempts_and_closing():
    assert not policies.closed(1, 2, None, NOW)
    assert policies.closed(2, 2, None, NOW)
    assert not policies.closed(100, None, None, NOW)
    assert policies.closed(0, 0, None, NOW)  # max_attempts 0: a survey, closed to submissions
    assert policies.closed(0, None, PAST, NOW)


def test_due_date_with_grace_period():
    due = NOW - timedelta(minutes=30)
    grace = policies.parse_timedelta("1 hour")
    close = policies.close_date(due, grace)
    assert close == due + timedelta(hours=1)
    assert not policies.is_past_due(close, NOW)  # T+30m: still accepted
    assert policies.is_past_due(close, NOW + timedelta(hours=1, minutes=30))  # T+2h: closed
    assert policies.close_date(None, grace) is None
    assert policies.close_date(None, grace, course_end=due) == close


@pytest.mark.parametrize(("text", "expected"), [
    ("2 days 5 hours 10 minutes 30 seconds", timedelta(days=2, hours=5, minutes=10, seconds=30)),
    ("1 hour", timedelta(hours=1)),
    ("1 day", timedelta(days=1)),
    ("3600", timedelta(hours=1)),
    ("", None),
    (None, None),
    ("soon", None),
])
def test_parse_timedelta(text, expected):
    assert policies.parse_timedelta(text) == expected


def test_wait_time_between_submissions():
    assert policies.wait_remaining(None, 60, NOW) == 0
    assert policies.wait_remaining(NOW - timedelta(seconds=10), 0, NOW) == 0
    assert policies.wait_remaining(NOW - timedelta(seconds=10), 60, NOW) == 50
    assert policies.wait_remaining(NOW - timedelta(seconds=61), 60, NOW) == 0
    assert policies.pretty_seconds(3 * 60 + 4) == "3 minutes 4 seconds"
    assert policies.pretty_seconds(3600) == "1 hour"
    assert policies.pretty_seconds(0) == "0 seconds"


def test_randomization_names():
    assert policies.normalize_randomization("true") == "always"
    assert policies.normalize_randomization("") == "always"
    assert policies.normalize_randomization("false") == "per_student"
    assert policies.normalize_randomization("onreset") == "onreset"
    assert policies.normalize_randomization(None) == "never"


def test_seeds_never_per_student_always():
    assert policies.choose_seed("never", user_id=1, problem_id="p") == 1
    assert policies.choose_seed("never", user_id=2, problem_id="p") == 1
    per_student = {policies.choose_seed("per_student", user_id=uid, problem_id="p") for uid in range(50)}
    assert len(per_student) > 1 and per_student <= set(range(policies.NUM_RANDOMIZATION_BINS))
    assert policies.choose_seed("per_student", user_id=7, problem_id="p") == \
        policies.choose_seed("per_student", user_id=7, problem_id="p")
    fixed = iter([b"\x01\x00\x00\x00", b"\x02\x00\x00\x00"])
    assert policies.choose_seed("always", user_id=1, problem_id="p", random_bytes=lambda n: next(fixed)) == 1
    seeds = {policies.choose_seed("always", user_id=1, problem_id="p") for _ in range(30)}
    assert len(seeds) > 1 and all(0 <= seed < policies.MAX_RANDOMIZATION_BINS for seed in seeds)
    assert policies.reseeds_on_reset("onreset") and policies.reseeds_on_reset("always")
    assert not policies.reseeds_on_reset("never") and not policies.reseeds_on_reset("per_student")


def test_buttons():
    assert policies.should_enable_submit_button(FRESH, "never")
    assert not policies.should_enable_submit_button(EXHAUSTED, "never")
    assert not policies.should_enable_submit_button(ATTEMPTED, "always")  # must reset first
    assert policies.should_show_reset_button(ATTEMPTED, "onreset", False)
    assert not policies.should_show_reset_button(CORRECT, "never", True)
    assert policies.should_show_reset_button(ATTEMPTED, "never", True)
    assert not policies.should_show_reset_button(EXHAUSTED, "never", True)
    assert not policies.should_show_save_button(FRESH, "never")  # unlimited attempts: no need
    assert policies.should_show_save_button(situation(max_attempts=3), "never")
    assert policies.should_show_save_button(FRESH, "never", force_save_button=True)


def test_weighted_score():
    assert policies.weighted_score(3, 3, 10) == (10, 10)
    assert policies.weighted_score(1, 2, None) == (1, 2)
    assert policies.weighted_score(1, 2, 0) == (0, 0)
