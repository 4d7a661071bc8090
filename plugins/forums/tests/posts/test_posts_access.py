"""Crossing the forums' lines through the REST API: cohorts, anonymity, roles, bans, mutes and blackouts;
and a page of posts read in a fixed number of queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from kampus_forums.moderation.models import Restriction
from kampus_forums.topics.course_settings import update_settings

from kampus import db
from kampus.testing import recording_statements

from .posts_kit import (
    COMMENTS,
    COURSE,
    THREADS,
    client_of,
    cohorts,
    new_comment,
    new_thread,
    patch,
    post_thread,
    publish,
    user_in,
)

LIST = {"course_id": COURSE}


def _divide(app: Flask, *topics: str) -> None:
    with app.app_context():
        update_settings(COURSE, {"divided_course_wide_discussions": list(topics)}, moderator=None)


def test_cohort_isolation(app: Flask) -> None:
    publish(app)
    red_author, red_peer, blue = user_in(app), user_in(app), user_in(app)
    group_moderator = user_in(app, "group_moderator")
    blue_moderator = user_in(app, "group_moderator")
    ids = cohorts(app, Red=[red_author, red_peer, group_moderator], Blue=[blue, blue_moderator])
    _divide(app, "course")
    red_client = client_of(app, red_author)
    divided = new_thread(red_client, title="Red only")
    undivided = new_thread(red_client, topic_id="qa", title="Everyone")
    assert divided["group_id"] == ids["Red"] and divided["group_name"] == "Red"
    assert undivided["group_id"] is None
    url = f"{THREADS}{divided['id']}/"

    b = client_of(app, blue)
    assert [t["id"] for t in b.get(THREADS, query_string=LIST).get_json()["results"]] == [undivided["id"]]
    assert b.get(url).status_code == 404
    assert b.post(COMMENTS, json={"thread_id": divided["id"], "raw_body": "sneak"}).status_code == 404
    assert patch(b, url, {"voted": True}).status_code == 404
    assert b.get(COMMENTS, query_string={"thread_id": divided["id"]}).status_code == 404
    assert b.get(THREADS, query_string={**LIST, "group_id": ids["Red"]}).get_json()["pagination"]["count"] == 1
    response = new_comment(client_of(app, red_peer), divided["id"])
    assert b.get(f"{COMMENTS}{response['id']}/").status_code == 404
    assert patch(b, f"{COMMENTS}{response['id']}/", {"voted": True}).status_code == 404
    assert b.delete(f"{COMMENTS}{response['id']}/").status_code == 404

    moderator = client_of(app, user_in(app, "discussion_moderator"))
    assert moderator.get(THREADS, query_string=LIST).get_json()["pagination"]["count"] == 2
    assert moderator.get(THREADS, query_string={**LIST, "group_id": ids["Blue"]}).get_json()[
        "pagination"]["count"] == 1
    assert moderator.get(url).status_code == 200

    # a group moderator moderates their own group's threads only
    own = client_of(app, group_moderator)
    assert own.get(url).get_json()["can_delete"] is True
    other = client_of(app, blue_moderator)
    other_view = other.get(url).get_json()
    assert other_view["can_delete"] is False and "pinned" not in other_view["editable_fields"]
    assert other.delete(url).status_code == 403
    assert patch(other, url, {"pinned": True}).status_code == 400
    assert patch(own, url, {"pinned": True}).get_json()["pinned"] is True
    assert own.delete(url).status_code == 204

    # privileged posters choose the group; learners may not
    assert post_thread(b, group_id=ids["Red"]).get_json()["field_errors"]["group_id"]["developer_message"] == \
        "This field is not initializable."
    chosen = new_thread(moderator, group_id=ids["Blue"])
    assert chosen["group_id"] == ids["Blue"]


def test_anonymity(app: Flask) -> None:
    publish(app)
    alice, bob = user_in(app), user_in(app)
    a, b = client_of(app, alice), client_of(app, bob)
    staff = client_of(app, user_in(app, "staff"))
    hidden = new_thread(a, anonymous_to_peers=True)
    response = new_comment(a, new_thread(b)["id"], anonymous_to_peers=True)
    fully = new_thread(a, anonymous=True)
    assert hidden["author"] is None  # Open edX hides it from its own author too
    listed = {t["id"]: t for t in b.get(THREADS, query_string=LIST).get_json()["results"]}
    assert listed[hidden["id"]]["author"] is None and listed[hidden["id"]]["author_label"] is None
    assert listed[fully["id"]]["author"] is None
    assert b.get(f"{THREADS}{hidden['id']}/").get_json()["author"] is None
    comments = b.get(COMMENTS, query_string={"thread_id": response["thread_id"]}).get_json()["results"]
    assert comments[0]["author"] is None
    assert alice.username not in str(b.get(THREADS, query_string={**LIST, "requested_fields": "profile_image"})
                                     .get_json())
    assert b.get(THREADS, query_string={**LIST, "author": alice.username}).get_json()["results"] == []
    assert staff.get(f"{THREADS}{hidden['id']}/").get_json()["author"] == alice.username
    assert staff.get(f"{THREADS}{fully['id']}/").get_json()["author"] == alice.username
    assert staff.get(COMMENTS, query_string={"thread_id": response["thread_id"]}).get_json()["results"][0][
        "author"] == alice.username
    ta = client_of(app, user_in(app, "community_ta"))
    assert ta.get(f"{THREADS}{hidden['id']}/").get_json()["author"] == alice.username
    assert ta.get(f"{THREADS}{fully['id']}/").get_json()["author"] is None


def test_a_course_without_anonymity_refuses_it(app: Flask) -> None:
    publish(app, allow_anonymous=False, allow_anonymous_to_peers=False)
    a = client_of(app, user_in(app))
    refused = post_thread(a, anonymous=True, anonymous_to_peers=True)
    assert refused.get_json()["field_errors"] == {
        "anonymous": {"developer_message": "This field is not initializable."},
        "anonymous_to_peers": {"developer_message": "This field is not initializable."}}
    assert "anonymous" not in new_thread(a)["editable_fields"]


def test_learner_cannot_moderate_others(app: Flask) -> None:
    publish(app)
    a, b = client_of(app, user_in(app)), client_of(app, user_in(app))
    thread = new_thread(a)
    url = f"{THREADS}{thread['id']}/"
    seen = b.get(url).get_json()
    assert seen["editable_fields"] == ["abuse_flagged", "copy_link", "following", "read", "voted"]
    assert seen["can_delete"] is False
    for change in ({"pinned": True}, {"closed": True}, {"raw_body": "x"}, {"title": "x"}, {"topic_id": "qa"},
                   {"anonymous": True}):
        assert patch(b, url, change).status_code == 400, change
    assert b.delete(url).status_code == 403
    response = new_comment(a, thread["id"])
    assert b.delete(f"{COMMENTS}{response['id']}/").status_code == 403
    ta = client_of(app, user_in(app, "community_ta"))
    assert ta.delete(f"{COMMENTS}{response['id']}/").status_code == 403


def _restrict(app: Flask, user, kind: str) -> None:
    with app.app_context():
        session = db.session()
        session.add(Restriction(course_id=COURSE, user_id=user.id, kind=kind, reason="test"))
        session.commit()


def test_ban_and_mute(app: Flask) -> None:
    publish(app)
    author = client_of(app, user_in(app))
    thread = new_thread(author)
    banned, muted = user_in(app), user_in(app)
    _restrict(app, banned, "ban")
    _restrict(app, muted, "mute")
    bc, mc = client_of(app, banned), client_of(app, muted)
    url = f"{THREADS}{thread['id']}/"
    assert post_thread(bc).status_code == 403
    assert bc.post(COMMENTS, json={"thread_id": thread["id"], "raw_body": "x"}).status_code == 403
    assert patch(bc, url, {"voted": True}).status_code == 403
    assert patch(bc, url, {"abuse_flagged": True}).status_code == 403
    assert bc.get(url).status_code == 200
    assert post_thread(mc).status_code == 403
    assert mc.post(COMMENTS, json={"thread_id": thread["id"], "raw_body": "x"}).status_code == 403
    assert patch(mc, url, {"voted": True}).status_code == 200



def test_blackout_stops_learners_posting(app: Flask) -> None:
    now = datetime.now(UTC)
    window = [(now - timedelta(hours=1)).isoformat(), (now + timedelta(hours=1)).isoformat()]
    publish(app, discussion_blackouts=[window])
    moderator = client_of(app, user_in(app, "discussion_moderator"))
    thread = new_thread(moderator)
    learner = client_of(app, user_in(app))
    refused = post_thread(learner)
    assert refused.status_code == 403 and refused.get_json()["developer_message"] == \
        "Discussions are in blackout period."
    assert learner.post(COMMENTS, json={"thread_id": thread["id"], "raw_body": "x"}).status_code == 403
    assert learner.get(THREADS, query_string=LIST).status_code == 200
    assert post_thread(moderator).status_code == 200


def test_thread_and_comment_pages_read_in_fixed_queries(app: Flask) -> None:
    publish(app)
    users = [user_in(app) for _ in range(4)]
    clients = [client_of(app, user) for user in users]
    thread = None
    for i in range(6):
        thread = new_thread(clients[i % 4], title=f"T{i}")
        patch(clients[(i + 1) % 4], f"{THREADS}{thread['id']}/", {"voted": True})
    assert thread is not None
    for i in range(6):
        response = new_comment(clients[i % 4], thread["id"], raw_body=f"R{i}")
        new_comment(clients[(i + 1) % 4], thread["id"], parent_id=response["id"], raw_body=f"C{i}")
    reader = clients[0]
    reader.get(THREADS, query_string=LIST)
    with recording_statements(app) as small:
        assert reader.get(THREADS, query_string={**LIST, "page_size": 2}).status_code == 200
    with recording_statements(app) as large:
        assert reader.get(THREADS, query_string={**LIST, "page_size": 6}).status_code == 200
    assert large.count == small.count
    with recording_statements(app) as few:
        reader.get(COMMENTS, query_string={"thread_id": thread["id"], "page_size": 2})
    with recording_statements(app) as many:
        reader.get(COMMENTS, query_string={"thread_id": thread["id"], "page_size": 6})
    assert many.count == few.count
