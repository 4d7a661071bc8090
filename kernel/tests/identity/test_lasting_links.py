"""Lasting signed links (an e-mail's unsubscribe link): one salt per purpose, forged, foreign or oversized tokens
read as nothing."""

from __future__ import annotations

from kampus.identity.links import (
    MAX_LASTING_TOKEN,
    lasting_signer,
    learner_course_token,
    read_lasting_token,
    read_learner_course_token,
)


def test_a_learner_course_token_reads_back_under_its_own_salt_only(app):
    with app.app_context():
        token = learner_course_token("purpose-a", 7, "course-v1:A+B+C")
        assert read_learner_course_token("purpose-a", token) == (7, "course-v1:A+B+C")
        assert read_learner_course_token("purpose-b", token) is None  # a link of another purpose
        assert read_learner_course_token("purpose-a", token[:-2] + "xx") is None  # forged
        assert read_learner_course_token("purpose-a", "x" * (MAX_LASTING_TOKEN + 1)) is None
        assert read_learner_course_token("purpose-a", lasting_signer("purpose-a").dumps([7])) is None  # shape
        assert read_lasting_token("purpose-a", lasting_signer("purpose-a").dumps({"any": 1})) == {"any": 1}
