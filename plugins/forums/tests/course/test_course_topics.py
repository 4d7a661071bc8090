"""Topics of a published course: course-wide ones from the ``discussion_topics`` policy (Open edX's default
when there is none), in-context ones from discussion blocks; blackouts; division; the course metadata and
the v1/v2/v3 topics endpoints with their thread counts."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from kampus_forums.topics import service
from kampus_forums.topics.course_settings import SettingsInvalid, update_settings

from .course_kit import API, COURSE, add_thread, client_of, publish_discussion_course, user_in

POLICY = {"discussion_topics": {"Announcements": {"id": "announce"}, "Q and A": {"id": "qa"}},
          "discussion_blackouts": [["2030-01-01T00:00:00Z", "2030-01-03T00:00:00Z"], ["bad", "pair"]],
          "allow_anonymous": "false", "allow_anonymous_to_peers": True}


def test_topics_come_from_the_policy_and_the_discussion_blocks(app: Flask) -> None:
    ids = publish_discussion_course(app, **POLICY)
    with app.app_context():
        wide = service.course_wide_topics(COURSE)
        inline = service.inline_topics(COURSE)
        assert [(t.id, t.name, t.usage_key) for t in wide] == [("announce", "Announcements", None),
                                                             ("qa", "Q and A", None)]
        assert [(t.id, t.name, t.category) for t in inline] == [
            ("topic-a", "Alpha", "Week 10"), ("disc2", "Beta", "Week 2"), ("topic-c", "Unit2", "Week 1")]
        assert inline[0].usage_key == ids["disc1"] and inline[0].unit_id == ids["unit1"]
        assert (inline[2].section_id, inline[2].subsection_name) == (ids["week1"], "Lesson 1")
        assert service.topic_exists(COURSE, "qa") and service.topic_exists(COURSE, "disc2")
        assert not service.topic_exists(COURSE, "course") and not service.topic_exists(COURSE, "nope")
        assert service.blackout_active(COURSE, datetime(2030, 1, 2, tzinfo=UTC))
        assert not service.blackout_active(COURSE, datetime(2030, 1, 4, tzinfo=UTC))
        assert not service.blackout_active(COURSE)
        facts = service.course_discussions(COURSE)
        assert (facts.allow_anonymous, facts.allow_anonymous_to_peers) == (False, True)


def test_a_course_without_topics_policy_has_open_edx_default_and_unknown_course_none(app: Flask) -> None:
    publish_discussion_course(app)
    with app.app_context():
        assert [(t.id, t.name) for t in service.course_wide_topics(COURSE)] == [("course", "General")]
        assert service.course_wide_topics("course-v1:No+Such+Course") == []
        assert not service.topic_exists("course-v1:No+Such+Course", "course")
        assert not service.blackout_active(COURSE)


def test_division_follows_the_settings_and_cohorts(app: Flask) -> None:
    from kampus_lms import api as lms

    publish_discussion_course(app)
    admin = user_in(app, "staff")
    with app.test_request_context():
        assert not service.is_divided(COURSE, "course")
        with pytest.raises(SettingsInvalid) as refused:
            update_settings(COURSE, {"division_scheme": "cohort"}, moderator=admin)
        assert "cohorted" in refused.value.errors["division_scheme"]
        with pytest.raises(SettingsInvalid) as refused:
            update_settings(COURSE, {"division_scheme": "enrollment_track"}, moderator=admin)
        assert "enrollment_track" in refused.value.errors["division_scheme"]
    with app.test_request_context():
        lms.set_cohorted(COURSE, True)
        assert not service.is_divided(COURSE, "course")  # cohorted, but no topic divided
        update_settings(COURSE, {"divided_course_wide_discussions": ["course"]}, moderator=admin)
        assert service.is_divided(COURSE, "course") and not service.is_divided(COURSE, "topic-a")
        update_settings(COURSE, {"always_divide_inline_discussions": True}, moderator=admin)
        assert service.is_divided(COURSE, "topic-a")
        update_settings(COURSE, {"division_scheme": "none"}, moderator=admin)
        assert not service.is_divided(COURSE, "course") and not service.is_divided(COURSE, "topic-a")


def test_course_metadata_for_a_learner_and_a_moderator(app: Flask) -> None:
    publish_discussion_course(app, **POLICY)
    learner = client_of(app, user_in(app))
    body = learner.get(f"{API}/v1/courses/{COURSE}").get_json()
    assert body["id"] == COURSE and body["provider"] == "legacy"
    assert body["blackouts"] == [{"start": "2030-01-01T00:00:00Z", "end": "2030-01-03T00:00:00Z"}]
    assert (body["allow_anonymous"], body["allow_anonymous_to_peers"]) == (False, True)
    assert body["user_roles"] == ["Student"] and body["has_moderation_privileges"] is False
    assert body["is_posting_enabled"] is True
    assert parse_qs(urlsplit(body["thread_list_url"]).query) == {"course_id": [COURSE]}
    assert parse_qs(urlsplit(body["following_thread_list_url"]).query) == {"course_id": [COURSE],
                                                                         "following": ["True"]}
    assert body["topics_url"].endswith(f"/api/discussion/v1/course_topics/{COURSE}")
    assert {"code": "violates-guidelines", "label": "Violates community guidelines"} in body["edit_reasons"]
    assert [r["code"] for r in body["post_close_reasons"]] == ["academic-integrity", "read-only", "duplicate",
                                                              "off-topic"]
    moderator = client_of(app, user_in(app, "discussion_moderator"))
    body = moderator.get(f"{API}/v2/courses/{COURSE}").get_json()
    assert body["user_roles"] == ["Moderator", "Student"] and body["has_moderation_privileges"] is True
    group_moderator = client_of(app, user_in(app, "group_moderator", enrolled=False))
    body = group_moderator.get(f"{API}/v1/courses/{COURSE}").get_json()
    assert (body["user_roles"], body["is_group_ta"], body["has_moderation_privileges"]) == (
        ["Group Moderator"], True, False)
    staff = client_of(app, user_in(app, "staff", enrolled=False))
    assert staff.get(f"{API}/v1/courses/{COURSE}").get_json()["is_course_staff"] is True


def test_course_metadata_refuses_strangers(app: Flask) -> None:
    publish_discussion_course(app)
    assert app.test_client().get(f"{API}/v1/courses/{COURSE}").status_code == 401
    stranger = client_of(app, user_in(app, enrolled=False))
    answer = stranger.get(f"{API}/v1/courses/{COURSE}")
    assert answer.status_code == 404 and answer.get_json()["developer_message"] == "Course not found."
    learner = client_of(app, user_in(app))
    assert learner.get(f"{API}/v1/courses/course-v1:No+Such+Course").status_code == 404
    assert learner.get(f"{API}/v1/courses/not-a-key").status_code == 404


def test_topics_v1_v2_v3_with_thread_counts(app: Flask) -> None:
    ids = publish_discussion_course(app, discussion_topics={"General": {"id": "course"}})
    author = user_in(app)
    add_thread(app, author, topic="course")
    add_thread(app, author, topic="course", thread_type="question")
    add_thread(app, author, topic="topic-a", thread_type="question")
    add_thread(app, author, topic="topic-a", thread_type="question")
    add_thread(app, author, topic="topic-a", deleted=True)
    client = client_of(app, author)

    v1 = client.get(f"{API}/v1/course_topics/{COURSE}").get_json()
    assert [(n["id"], n["name"], n["thread_counts"]) for n in v1["non_courseware_topics"]] == [
        ("course", "General", {"discussion": 1, "question": 1})]
    categories = v1["courseware_topics"]
    assert [c["name"] for c in categories] == ["Week 1", "Week 2", "Week 10"]  # natural order
    assert all(c["id"] is None and c["thread_counts"] is None for c in categories)
    week10 = categories[2]
    assert [(n["id"], n["name"], n["thread_counts"]) for n in week10["children"]] == [
        ("topic-a", "Alpha", {"discussion": 0, "question": 2})]
    assert parse_qs(urlsplit(week10["thread_list_url"]).query) == {"course_id": [COURSE], "topic_id": ["topic-a"]}
    only = client.get(f"{API}/v1/course_topics/{COURSE}", query_string={"topic_id": "disc2"}).get_json()
    assert only["non_courseware_topics"] == [] and [c["name"] for c in only["courseware_topics"]] == ["Week 2"]
    missing = client.get(f"{API}/v1/course_topics/{COURSE}", query_string={"topic_id": "zz,disc2,yy"})
    assert missing.status_code == 404
    assert missing.get_json()["developer_message"] == "Discussion not found for 'yy, zz'."

    v2 = client.get(f"{API}/v2/course_topics/{COURSE}").get_json()
    assert [t["id"] for t in v2] == ["course", "topic-a", "disc2", "topic-c"]
    assert v2[1] == {"id": "topic-a", "usage_key": ids["unit1"], "name": "Alpha",
                     "thread_counts": {"discussion": 0, "question": 2}, "enabled_in_context": True}
    assert v2[0]["usage_key"] is None
    by_name = client.get(f"{API}/v2/course_topics/{COURSE}", query_string={"order_by": "name"}).get_json()
    assert [t["name"] for t in by_name] == ["Alpha", "Beta", "General", "Unit2"]
    by_activity = client.get(f"{API}/v2/course_topics/{COURSE}", query_string={"order_by": "activity"}).get_json()
    assert [t["id"] for t in by_activity][:2] == ["course", "topic-a"]
    assert client.get(f"{API}/v2/course_topics/{COURSE}", query_string={"order_by": "x"}).status_code == 400

    v3 = client.get(f"{API}/v3/course_topics/{COURSE}").get_json()
    assert v3[0]["id"] == "course" and v3[0]["courseware"] is False
    chapter = v3[1]
    assert (chapter["id"], chapter["type"], chapter["display_name"], chapter["courseware"]) == (
        ids["week1"], "chapter", "Week 1", True)
    sequential = chapter["children"][0]
    assert (sequential["type"], sequential["block_id"]) == ("sequential", "lesson1")
    assert [t["id"] for t in sequential["children"]] == ["topic-a", "disc2", "topic-c"]
    assert app.test_client().get(f"{API}/v2/course_topics/{COURSE}").status_code == 401


@pytest.mark.parametrize("role", ["discussion_moderator", "discussion_admin", "community_ta", "staff"])
def test_the_course_team_sees_in_context_topics_without_being_enrolled(app: Flask, role: str) -> None:
    """What the course team sees of the topics does not depend on enrollment (Open edX's block access asks
    for release and visibility, not for an enrollment)."""
    publish_discussion_course(app)
    team = client_of(app, user_in(app, role, enrolled=False))
    enrolled = client_of(app, user_in(app, role))
    for client in (team, enrolled):
        v1 = client.get(f"{API}/v1/course_topics/{COURSE}").get_json()
        assert [c["name"] for c in v1["courseware_topics"]] == ["Week 1", "Week 2", "Week 10"]
        v2 = client.get(f"{API}/v2/course_topics/{COURSE}").get_json()
        assert [t["id"] for t in v2] == ["course", "topic-a", "disc2", "topic-c"]
        v3 = client.get(f"{API}/v3/course_topics/{COURSE}").get_json()
        assert [t["id"] for t in v3[1]["children"][0]["children"]] == ["topic-a", "disc2", "topic-c"]
    stranger = client_of(app, user_in(app, enrolled=False))
    assert stranger.get(f"{API}/v1/course_topics/{COURSE}").status_code == 404



def test_posting_is_closed_to_learners_during_a_blackout(app: Flask) -> None:
    publish_discussion_course(app, discussion_blackouts=[["2000-01-01T00:00:00Z", "2999-01-01T00:00:00Z"]])
    learner = client_of(app, user_in(app))
    assert learner.get(f"{API}/v1/courses/{COURSE}").get_json()["is_posting_enabled"] is False
    moderator = client_of(app, user_in(app, "community_ta"))
    assert moderator.get(f"{API}/v1/courses/{COURSE}").get_json()["is_posting_enabled"] is True
    with app.app_context():
        assert service.blackout_active(COURSE)


def test_the_thread_list_asks_cheaply(app: Flask) -> None:
    """is_divided and blackout_active read the course once per request: a thousand calls cost a few
    statements."""
    from kampus.testing import recording_statements

    publish_discussion_course(app, **POLICY)
    with app.test_request_context():
        service.is_divided(COURSE, "course")
        with recording_statements(app) as statements:
            for _ in range(1000):
                service.is_divided(COURSE, "topic-a")
                service.blackout_active(COURSE)
                service.topic_exists(COURSE, "qa")
        assert statements.count <= 1, statements.queries  # the course index, read once
