"""Seeding many learners fast (bulk SQL) for the kill tests: accounts, enrollments, scores and the
problems' states of the graded course of :mod:`.conftest`, with what the reports should then say."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from kampus_content.progress.models import Score
from kampus_content.runtime.user_state import StudentModule
from kampus_lms.enrollment.models import CourseEnrollment

from kampus.identity.models import User

MC_CHOICES = ["choice_0", "choice_1", "choice_2"]
NUMBERS = ["4500", "4400", "1000"]


def scripted(i: int) -> tuple[str, str, str]:
    """Learner ``i``'s answers: (mc choice, capital, number)."""
    return MC_CHOICES[i % 3], ("Paris" if i % 4 else "Rome"), NUMBERS[i % 5 % 3]


def seed_learners(kampus: Any, course_id: str, usage: dict[str, str], count: int) -> dict[str, Any]:
    """Insert ``count`` enrolled learners who answered both problems (bulk inserts through the models);
    returns the expected answer distribution (``{(usage, part, value, correctness): count}``), the
    usernames and their ids."""
    now = datetime.now(UTC)
    names = [f"kill{i:05d}" for i in range(count)]
    expected: Counter[tuple[str, str, str, str]] = Counter()
    with kampus.db.session_scope() as connection:
        connection.execute(sa.insert(User), [
            {"username": name, "email": f"{name}@example.com", "name": name, "password_hash": "", "is_active": True,
             "is_staff": False, "is_superuser": False, "date_joined": now, "session_token": ""}
            for name in names])
        ids = dict(connection.execute(sa.select(User.username, User.id).where(User.username.in_(names))).all())
        connection.execute(sa.insert(CourseEnrollment), [
            {"user_id": ids[name], "course_id": course_id, "mode": "audit", "is_active": True, "created": now,
             "modified": now} for name in names])
        score_rows, module_rows = [], []
        for i, name in enumerate(names):
            mc, capital, number = scripted(i)
            mc_ok = mc == "choice_1"
            capital_ok = capital.lower() == "paris"
            number_ok = abs(float(number) - 4500) <= 225
            user_id = ids[name]
            score_rows += [
                {"user_id": user_id, "course_key": course_id, "usage_key": usage["mc"], "block_type": "problem",
                 "earned": float(mc_ok), "possible": 1.0, "first_attempted": now, "modified": now},
                {"user_id": user_id, "course_key": course_id, "usage_key": usage["two"], "block_type": "problem",
                 "earned": float(capital_ok + number_ok), "possible": 2.0, "first_attempted": now, "modified": now},
            ]
            verdict = {True: "correct", False: "incorrect"}
            module_rows += [
                {"user_id": user_id, "course_key": course_id, "usage_key": usage["mc"], "block_type": "problem",
                 "state": json.dumps({"student_answers": {"mc_2_1": mc}, "attempts": 1,
                                      "correct_map": {"mc_2_1": {"correctness": verdict[mc_ok]}}}),
                 "created": now, "modified": now},
                {"user_id": user_id, "course_key": course_id, "usage_key": usage["two"], "block_type": "problem",
                 "state": json.dumps({"student_answers": {"two_2_1": capital, "two_3_1": number}, "attempts": 1,
                                      "correct_map": {"two_2_1": {"correctness": verdict[capital_ok]},
                                                      "two_3_1": {"correctness": verdict[number_ok]}}}),
                 "created": now, "modified": now},
            ]
            expected[(usage["mc"], "mc_2_1", mc, verdict[mc_ok])] += 1
            expected[(usage["two"], "two_2_1", capital, verdict[capital_ok])] += 1
            expected[(usage["two"], "two_3_1", number, verdict[number_ok])] += 1
        connection.execute(sa.insert(Score), score_rows)
        connection.execute(sa.insert(StudentModule), module_rows)
    return {"expected_distribution": expected, "usernames": names, "ids": ids}
