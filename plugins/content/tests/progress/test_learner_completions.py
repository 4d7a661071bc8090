"""One learner's completion across several courses, read in one query (the learner dashboard)."""

from __future__ import annotations

import pytest
from kampus_content.api import (
    PUBLISHED,
    CompletionSummary,
    content_store,
    course_completion_summaries,
    learner_completions,
)
from kampus_content.progress.completion import record_completion

from kampus import db
from kampus.testing import DEFAULT_COURSE

from .conftest import build_course, post

pytestmark = pytest.mark.kampus_plugins("content")

OTHER = "course-v1:Org+Other+1"


def test_one_query_for_every_course_of_a_learner(app, client_as, count_queries):
    first = build_course(app)
    second = build_course(app, OTHER)
    learner, somebody = client_as("learner"), client_as("learner")
    post(learner, first["h1"], "publish_completion", {"completion": 1.0})
    post(learner, first["v1"], "publish_completion", {"completion": 0.5})
    with app.app_context():  # a course where the learner holds no role: stored as another course would
        for user, block in ((learner.user, "h2"), (somebody.user, "h1")):
            record_completion(db.session(), user_id=user.id, course_key=OTHER, usage_key=second[block],
                              block_type="html", completion=1.0)
        db.session().commit()
    with app.app_context():
        structures = [content_store().get_branch(course, PUBLISHED) for course in (DEFAULT_COURSE, OTHER)]
        with count_queries() as raw:
            stored = learner_completions(learner.user.id, [DEFAULT_COURSE, OTHER, "course-v1:Org+None+1"])
        with count_queries() as summed:
            summaries = course_completion_summaries(learner.user.id, structures)
        with count_queries() as none:
            assert course_completion_summaries(learner.user.id, []) == {}
    assert raw.count == summed.count == 1 and none.count == 0
    assert stored == {DEFAULT_COURSE: {first["h1"]: 1.0, first["v1"]: 0.5}, OTHER: {second["h2"]: 1.0},
                      "course-v1:Org+None+1": {}}
    # five completable leaves in each course: h1, h2, s1, v1, s2 (the discussion is excluded)
    assert summaries[DEFAULT_COURSE] == CompletionSummary(earned=1.5, completed=1, possible=5)
    assert summaries[OTHER] == CompletionSummary(earned=1.0, completed=1, possible=5)
    assert summaries[OTHER].percent == pytest.approx(0.2)


def test_the_summary_is_the_course_blocks_of_course_completion(app, client_as):
    ids = build_course(app)
    learner = client_as("learner")
    post(learner, ids["h1"], "publish_completion", {"completion": 1.0})
    with app.app_context():
        structure = content_store().get_branch(DEFAULT_COURSE, PUBLISHED)
        whole = course_completion_summaries(learner.user.id, [structure])[DEFAULT_COURSE]
        from_course = learner_completions(learner.user.id, [DEFAULT_COURSE])
    assert whole.completed == 1 and whole.possible == 5 and from_course[DEFAULT_COURSE] == {ids["h1"]: 1.0}
