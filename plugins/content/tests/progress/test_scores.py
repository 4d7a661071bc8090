"""Scores: written with the block's state in one transaction, idempotent, ``only_if_higher``,
``kampus_score_changed`` after the commit, batch reads in one query."""

from __future__ import annotations

from datetime import UTC

import pytest
import sqlalchemy as sa
from kampus_content.api import ScoreRecord, course_scores, score_of
from kampus_content.progress.models import Score
from kampus_content.progress.scores import InvalidScore, is_score_higher_or_equal, record_score, score_points
from kampus_content.runtime.field_data import UserStateCache
from kampus_content.runtime.user_state import StudentModule
from kampus_hookspecs import hookimpl

from kampus import current_kampus
from kampus.testing import DEFAULT_COURSE, client_as

from .conftest import build_course, post

pytestmark = pytest.mark.kampus_plugins("content")


def stored_score(app, user_id: int, usage_id: str) -> ScoreRecord | None:
    with app.app_context():
        return score_of(user_id, usage_id)


def score_rows(app) -> int:
    with app.app_context(), current_kampus().db.session_scope() as db_session:
        return db_session.scalar(sa.select(sa.func.count()).select_from(Score))


def test_grade_event_writes_a_score_row_and_calls_the_hook_once(app, client_as, course, hook_calls, events):
    learner = client_as("learner")
    assert post(learner, course["s1"], "submit", {"value": 1, "max_value": 2}).status_code == 200
    score = stored_score(app, learner.user.id, course["s1"])
    assert score is not None
    assert (score.user_id, score.course_key, score.usage_key, score.block_type) == (
        learner.user.id, DEFAULT_COURSE, course["s1"], "scored")
    assert (score.earned, score.possible) == (1.0, 2.0)
    assert score.first_attempted == score.modified
    assert score.modified.tzinfo is not None and score.modified.utcoffset() == UTC.utcoffset(None)
    assert hook_calls.of("kampus_score_changed") == [{
        "user_id": learner.user.id, "course_id": DEFAULT_COURSE, "usage_id": course["s1"],
        "earned": 1.0, "possible": 2.0, "only_if_higher": False}]
    assert events.of_type("edx.grades.problem.submitted")[-1]["event"]["weighted_earned"] == 1.0


def test_the_same_grade_twice_keeps_one_unchanged_row_and_no_second_hook(app, client_as, course, hook_calls):
    learner = client_as("learner")
    post(learner, course["s1"], "submit", {"value": 1})
    first = stored_score(app, learner.user.id, course["s1"])
    assert post(learner, course["s1"], "submit", {"value": 1}).status_code == 200
    assert stored_score(app, learner.user.id, course["s1"]) == first
    assert score_rows(app) == 1
    assert len(hook_calls.of("kampus_score_changed")) == 1


def test_a_new_score_replaces_the_old_one_and_keeps_the_first_attempt(app, client_as, course, hook_calls):
    learner = client_as("learner")
    post(learner, course["s1"], "submit", {"value": 2})
    first = stored_score(app, learner.user.id, course["s1"])
    post(learner, course["s1"], "submit", {"value": 0})
    second = stored_score(app, learner.user.id, course["s1"])
    assert (second.earned, second.possible) == (0.0, 2.0)
    assert second.first_attempted == first.first_attempted and second.modified > first.modified
    assert [call["earned"] for call in hook_calls.of("kampus_score_changed")] == [2.0, 0.0]


def test_only_if_higher_keeps_the_higher_score(app, client_as, course, hook_calls):
    learner = client_as("learner")
    post(learner, course["s1"], "submit", {"value": 2, "max_value": 4})
    post(learner, course["s1"], "submit", {"value": 1, "max_value": 4, "only_if_higher": True})
    assert (stored_score(app, learner.user.id, course["s1"]).earned) == 2.0
    assert len(hook_calls.of("kampus_score_changed")) == 1
    post(learner, course["s1"], "submit", {"value": 3, "max_value": 4, "only_if_higher": True})
    assert stored_score(app, learner.user.id, course["s1"]).earned == 3.0
    calls = hook_calls.of("kampus_score_changed")
    assert len(calls) == 2 and calls[-1]["only_if_higher"] is True and calls[-1]["earned"] == 3.0


def test_score_and_state_roll_back_together(app, client_as, course, hook_calls):
    learner = client_as("learner")
    assert post(learner, course["s1"], "submit_then_fail").status_code == 500
    assert stored_score(app, learner.user.id, course["s1"]) is None
    with app.app_context(), current_kampus().db.session_scope() as db_session:
        assert db_session.scalar(sa.select(StudentModule).where(StudentModule.usage_key == course["s1"])) is None
    assert hook_calls.of("kampus_score_changed") == []
    # and they commit together
    post(learner, course["s1"], "submit", {"value": 1, "answer": 7})
    assert "answer=7" in learner.get(f"/xblock/{course['s1']}").get_data(as_text=True)
    assert stored_score(app, learner.user.id, course["s1"]).earned == 1.0


def test_a_failure_after_both_writes_rolls_both_back(app, client_as, course, hook_calls, monkeypatch):
    """The score and the state reach the session; the commit never comes: neither is stored."""
    original = UserStateCache.flush

    def flush_then_fail(self, db_session):
        original(self, db_session)
        assert db_session.scalar(sa.select(Score.earned)) == 2.0  # the score is in this transaction
        raise RuntimeError("the database went away before the commit")

    monkeypatch.setattr(UserStateCache, "flush", flush_then_fail)
    learner = client_as("learner")
    assert post(learner, course["s1"], "submit", {"value": 2}).status_code == 500
    monkeypatch.undo()
    assert stored_score(app, learner.user.id, course["s1"]) is None
    with app.app_context(), current_kampus().db.session_scope() as db_session:
        assert db_session.scalar(sa.select(StudentModule).where(StudentModule.usage_key == course["s1"])) is None
    assert hook_calls.of("kampus_score_changed") == []


class CommittedScoreReader:
    """Reads the score from another session when the hook is called: it must be committed by then."""

    def __init__(self) -> None:
        self.seen: list[float | None] = []

    @hookimpl
    def kampus_score_changed(self, user_id, course_id, usage_id, earned, possible, only_if_higher):
        with current_kampus().db.session_scope() as other_session:
            self.seen.append(other_session.scalar(
                sa.select(Score.earned).where(Score.user_id == user_id, Score.usage_key == usage_id)))


def test_the_hook_runs_after_the_commit(make_app):
    reader = CommittedScoreReader()
    app = make_app(plugins=["content", reader])
    course = build_course(app)
    learner = client_as(app, "learner")
    post(learner, course["s1"], "submit", {"value": 2})
    post(learner, course["s1"], "submit", {"value": 1})
    assert reader.seen == [2.0, 1.0]


@pytest.mark.parametrize("value", ["many", None, -1, float("nan"), True])
def test_a_malformed_grade_is_not_recorded(app, client_as, course, hook_calls, value):
    learner = client_as("learner")
    response = post(learner, course["s1"], "submit", {"value": value})
    assert response.status_code == 200  # the block's own answer is the block's business
    assert stored_score(app, learner.user.id, course["s1"]) is None
    assert hook_calls.of("kampus_score_changed") == []


def test_an_authors_preview_records_no_score(app, client_as, course, hook_calls):
    staff = client_as("staff")
    assert post(staff, course["s1"], "submit", {"value": 1}, query_string={"branch": "draft"}).status_code == 200
    assert stored_score(app, staff.user.id, course["s1"]) is None
    assert hook_calls.of("kampus_score_changed") == []


def test_course_scores_reads_every_learner_in_one_query(app, client_as, course, count_queries):
    learners = [client_as("learner") for _ in range(3)]
    for points, learner in enumerate(learners[:2]):
        post(learner, course["s1"], "submit", {"value": points})
        post(learner, course["s2"], "submit", {"value": 2})
    other = build_course(app, "course-v1:Other+X+2026")
    post(client_as("learner", course_id="course-v1:Other+X+2026"), other["s1"], "submit", {"value": 2})
    ids = [learner.user.id for learner in learners]
    with app.app_context():
        with count_queries() as counter:
            scores = course_scores(DEFAULT_COURSE, ids)
    assert counter.count == 1
    assert set(scores) == set(ids)
    assert {usage: score.earned for usage, score in scores[ids[0]].items()} == {course["s1"]: 0.0, course["s2"]: 2.0}
    assert scores[ids[1]][course["s1"]].earned == 1.0
    assert scores[ids[2]] == {}
    with app.app_context():
        assert course_scores(DEFAULT_COURSE, []) == {}


def test_record_score_in_a_session_that_rolls_back_leaves_nothing(app):
    with app.app_context():
        db_session = current_kampus().db.sessionmaker()
        try:
            change = record_score(db_session, user_id=5, course_key=DEFAULT_COURSE,
                                  usage_key="block-v1:Org+N+R+type@scored+block@x", block_type="scored",
                                  earned=1, possible=1)
            assert change is not None
            db_session.add(StudentModule(user_id=5, course_key=DEFAULT_COURSE, usage_key="k", block_type="scored",
                                         state="{}"))
            db_session.flush()
            db_session.rollback()
        finally:
            db_session.close()
    assert score_rows(app) == 0


def test_score_points_and_ratio_rules():
    assert score_points("1.5", 3) == (1.5, 3.0)
    for bad in (("x", 1), (1, None), (float("inf"), 1), (1, -2), (False, 1)):
        with pytest.raises(InvalidScore):
            score_points(*bad)
    assert is_score_higher_or_equal(1, 2, 2, 4)  # the same ratio counts as higher or equal
    assert not is_score_higher_or_equal(1, 2, 1, 4)
    assert is_score_higher_or_equal(0, 0, 0, 1)  # nothing possible counts as zero
