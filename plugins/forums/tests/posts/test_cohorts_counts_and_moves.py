"""Cohorts in topic counts and in a thread moved between topics: a learner counts only the threads they
may read, and a thread moved into a divided topic takes its author's cohort."""

from __future__ import annotations

from flask import Flask
from kampus_forums.topics.course_settings import update_settings

from .posts_kit import COURSE, THREADS, client_of, cohorts, new_thread, patch, publish, user_in


def _divide(app: Flask, *topics: str) -> None:
    with app.app_context():
        update_settings(COURSE, {"divided_course_wide_discussions": list(topics)}, moderator=None)


def _counts(client, version: str) -> dict[str, dict[str, int]]:
    answer = client.get(f"/api/discussion/{version}/course_topics/{COURSE}")
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    nodes = body["courseware_topics"] + body["non_courseware_topics"] if isinstance(body, dict) else body
    found: dict[str, dict[str, int]] = {}
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if node.get("thread_counts") is not None and node.get("id"):
            found[node["id"]] = node["thread_counts"]
        stack.extend(node.get("children") or [])
    return found


def test_topic_counts_leave_out_other_cohorts_threads(app: Flask) -> None:
    publish(app)
    red, blue, staff = user_in(app), user_in(app), user_in(app, "staff")
    cohorts(app, Red=[red], Blue=[blue])
    _divide(app, "course")
    new_thread(client_of(app, red), title="Red 1")
    new_thread(client_of(app, red), title="Red 2", type="question")
    new_thread(client_of(app, blue), title="Blue 1")
    for version in ("v1", "v2", "v3"):
        assert _counts(client_of(app, blue), version)["course"] == {"discussion": 1, "question": 0}, version
        assert _counts(client_of(app, red), version)["course"] == {"discussion": 1, "question": 1}, version
        assert _counts(client_of(app, staff), version)["course"] == {"discussion": 2, "question": 1}, version


def test_a_thread_moved_into_a_divided_topic_takes_its_authors_cohort(app: Flask) -> None:
    publish(app)
    red, blue, moderator = user_in(app), user_in(app), user_in(app, "discussion_moderator")
    ids = cohorts(app, Red=[red], Blue=[blue])
    _divide(app, "course")
    thread = new_thread(client_of(app, red), topic_id="qa", title="Open to all")
    assert thread["group_id"] is None
    assert client_of(app, blue).get(f"{THREADS}{thread['id']}/").status_code == 200
    moved = patch(client_of(app, moderator), f"{THREADS}{thread['id']}/", {"topic_id": "course"})
    assert moved.status_code == 200 and moved.get_json()["group_id"] == ids["Red"]
    assert client_of(app, blue).get(f"{THREADS}{thread['id']}/").status_code == 404
    assert client_of(app, red).get(f"{THREADS}{thread['id']}/").status_code == 200


def test_the_course_team_posts_to_all_groups_or_one_and_a_learner_to_their_own(app: Flask) -> None:
    """As Open edX's ``create_thread``: without ``group_id`` a post in a divided topic takes its author's
    cohort (a staff member enrolled in the course has one too); the course team's explicit ``null`` posts to
    all groups, an id to that cohort. A learner may not send ``group_id`` at all (Open edX's initializable
    fields)."""
    publish(app)
    red, blue, staff = user_in(app), user_in(app), user_in(app, "staff")
    ids = cohorts(app, Red=[red, staff], Blue=[blue])
    _divide(app, "course")
    team = client_of(app, staff)
    assert new_thread(team, title="Own cohort")["group_id"] == ids["Red"]
    everyone = new_thread(team, title="Everyone", group_id=None)
    assert everyone["group_id"] is None and everyone["group_name"] is None
    assert new_thread(team, title="Blue only", group_id=ids["Blue"])["group_id"] == ids["Blue"]
    assert client_of(app, blue).get(f"{THREADS}{everyone['id']}/").status_code == 200
    assert new_thread(client_of(app, red), title="Mine")["group_id"] == ids["Red"]
    for group_id in (None, ids["Blue"]):
        refused = client_of(app, red).post(THREADS, json={"course_id": COURSE, "topic_id": "course",
                                                          "type": "discussion", "title": "Theirs", "raw_body": "x",
                                                          "group_id": group_id})
        assert refused.status_code == 400 and "group_id" in refused.get_json()["field_errors"]
