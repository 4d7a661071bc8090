"""Completion: Open edX's semantics (scored blocks on score, html on view, video on watch, discussion
excluded), only increases stored, aggregation per unit, subsection, section and course, batch reads."""

from __future__ import annotations

import pytest
from kampus_content.api import (
    PUBLISHED,
    CompletionSummary,
    completable_by_viewing,
    completion_mode,
    completion_of,
    content_store,
    course_completion,
    course_completions,
)
from kampus_content.blocks.containers import VerticalBlock
from kampus_content.blocks.discussion import DiscussionBlock
from kampus_content.blocks.html import HtmlBlock
from kampus_content.blocks.video import VideoBlock
from kampus_content.progress.aggregation import aggregate_completion
from kampus_content.progress.completion import InvalidCompletion, completion_value

from kampus.testing import DEFAULT_COURSE

from .conftest import ScoredBlock, post

pytestmark = pytest.mark.kampus_plugins("content")


def completion(app, user_id: int, usage_id: str) -> float:
    with app.app_context():
        return completion_of(user_id, usage_id)


def test_modes_follow_open_edx():
    assert completion_mode(VerticalBlock) == "aggregator"
    assert completion_mode(DiscussionBlock) == "excluded"
    assert completion_mode(HtmlBlock) == completion_mode(VideoBlock) == "completable"
    assert completable_by_viewing(HtmlBlock)
    assert not completable_by_viewing(VideoBlock)  # custom completion: the player reports it
    assert not completable_by_viewing(ScoredBlock)  # complete when scored


def test_html_is_complete_once_viewed(app, client_as, course, events):
    learner = client_as("learner")
    assert completion(app, learner.user.id, course["h1"]) == 0.0
    response = post(learner, course["h1"], "publish_completion", {"completion": 1.0})
    assert response.status_code == 200 and response.get_json() == {"result": "ok"}
    assert completion(app, learner.user.id, course["h1"]) == 1.0
    assert post(learner, course["h1"], "publish_completion", {"completion": 1.0}).status_code == 200
    event = events.of_type("completion")[-1]
    assert event["event"] == {"usage_key": course["h1"], "block_type": "html", "completion": 1.0}


@pytest.mark.parametrize("body", [{}, {"completion": "lots"}, {"completion": 2}, {"completion": 0.5}, [1.0]])
def test_html_completion_refuses_bad_input(app, client_as, course, body):
    learner = client_as("learner")
    response = post(learner, course["h1"], "publish_completion", body)
    assert response.status_code == 400
    assert completion(app, learner.user.id, course["h1"]) == 0.0


def test_a_scored_block_is_complete_when_scored_not_when_viewed(app, client_as, course):
    learner = client_as("learner")
    refused = post(learner, course["s1"], "publish_completion", {"completion": 1.0})
    assert refused.status_code == 400 and "completion on view" in refused.get_data(as_text=True)
    assert completion(app, learner.user.id, course["s1"]) == 0.0
    post(learner, course["s1"], "submit", {"value": 0})  # complete even with no points
    assert completion(app, learner.user.id, course["s1"]) == 1.0


def test_video_completion_only_increases(app, client_as, course):
    learner = client_as("learner")
    assert post(learner, course["v1"], "publish_completion", {"completion": 0.5}).status_code == 200
    assert completion(app, learner.user.id, course["v1"]) == 0.5
    post(learner, course["v1"], "publish_completion", {"completion": 1.0})
    post(learner, course["v1"], "publish_completion", {"completion": 0.25})
    assert completion(app, learner.user.id, course["v1"]) == 1.0


def test_html_page_carries_the_view_reporter_only_for_learners(client_as, course):
    learner_page = client_as("learner").get(f"/xblock/{course['unit1']}").get_data(as_text=True)
    assert "/static/content/completion.js" in learner_page and "KampusCompletionOnView" in learner_page
    staff = client_as("staff")
    author_page = staff.get(f"/xblock/{course['unit1']}", query_string={"view": "author_view"}).get_data(as_text=True)
    assert "KampusCompletionOnView" not in author_page
    assert client_as("learner").get("/static/content/completion.js").status_code == 200


def test_aggregation_per_unit_subsection_section_and_course(app, client_as, course):
    learner = client_as("learner")
    post(learner, course["h1"], "publish_completion", {"completion": 1.0})
    post(learner, course["s1"], "submit", {"value": 2})
    post(learner, course["v1"], "publish_completion", {"completion": 0.5})
    with app.app_context():
        structure = content_store().get_branch(DEFAULT_COURSE, PUBLISHED)
        summaries = course_completion(structure, [learner.user.id])[learner.user.id]
    # unit1: h1, h2, s1 count; d1 (discussion) is excluded
    assert summaries[course["unit1"]] == CompletionSummary(earned=2.0, completed=2, possible=3)
    assert summaries[course["unit2"]] == CompletionSummary(earned=0.5, completed=0, possible=2)
    for block in ("lesson1", "week1", "course"):
        assert summaries[course[block]] == CompletionSummary(earned=2.5, completed=2, possible=5)
    assert summaries[course["course"]].percent == pytest.approx(0.5)
    assert course["d1"] not in summaries
    assert summaries[course["h1"]].complete and not summaries[course["h2"]].complete


def test_aggregation_leaves_out_blocks_the_learner_cannot_see(app, course):
    with app.app_context():
        structure = content_store().get_branch(DEFAULT_COURSE, PUBLISHED)
    hidden = {("vertical", "unit2"), ("html", "h2")}
    summaries = aggregate_completion(structure, {course["h1"]: 1.0}, visible=lambda key: key not in hidden)
    assert summaries[course["course"]] == CompletionSummary(earned=1.0, completed=1, possible=2)
    assert course["unit2"] not in summaries and course["v1"] not in summaries


def test_batch_reads_take_one_query(app, client_as, course, count_queries):
    learners = [client_as("learner") for _ in range(4)]
    for learner in learners[:3]:
        post(learner, course["h1"], "publish_completion", {"completion": 1.0})
    post(learners[0], course["v1"], "publish_completion", {"completion": 0.75})
    ids = [learner.user.id for learner in learners]
    with app.app_context():
        structure = content_store().get_branch(DEFAULT_COURSE, PUBLISHED)
        with count_queries() as raw:
            stored = course_completions(DEFAULT_COURSE, ids)
        with count_queries() as aggregated:
            report = course_completion(structure, ids)
        with count_queries() as one_user:
            mine = course_completion(structure, [ids[0]])
    assert raw.count == aggregated.count == one_user.count == 1
    assert stored[ids[0]] == {course["h1"]: 1.0, course["v1"]: 0.75}
    assert stored[ids[3]] == {}
    assert report[ids[1]][course["unit1"]].completed == 1
    assert report[ids[3]][course["course"]] == CompletionSummary(earned=0.0, completed=0, possible=5)
    assert mine[ids[0]][course["course"]].earned == pytest.approx(1.75)


def test_completion_values():
    assert completion_value("0.5") == 0.5
    for bad in (None, True, -0.1, 1.01, float("nan"), "x"):
        with pytest.raises(InvalidCompletion):
            completion_value(bad)
