"""The threads service other areas call: retirement, new usernames, a user's post ids, clearing flags."""

from __future__ import annotations

import pytest
from flask import Flask
from kampus_forums.access import forum_user
from kampus_forums.interactions.models import AbuseFlag, Follow
from kampus_forums.moderation.models import AuditEntry
from kampus_forums.threads import service
from kampus_forums.threads.models import Comment, EditRecord, Thread

from kampus import db

from .posts_kit import COURSE, client_of, new_comment, new_thread, patch, publish, user_in

THREADS = "/api/discussion/v1/threads/"


def test_retire_and_rename_rewrite_posts(app: Flask) -> None:
    publish(app)
    alice, bob = user_in(app), user_in(app)
    a = client_of(app, alice)
    thread = new_thread(a, title="Mine", raw_body="Secret")
    patch(a, f"{THREADS}{thread['id']}/", {"raw_body": "Edited secret"})
    response = new_comment(client_of(app, bob), thread["id"])
    comment = new_comment(a, thread["id"], parent_id=response["id"], raw_body="My reply")
    with app.test_request_context():
        ids = service.user_post_ids(COURSE, alice.id)
        assert ids.thread_ids == [int(thread["id"])] and ids.comment_ids == [int(comment["id"])]
        assert service.replace_username(alice.id, "alice_new") == 2
        assert db.session().get(Thread, int(thread["id"])).author_username == "alice_new"
        assert service.retire_user(alice.id, "retired__abc") == 2
        session = db.session()
        session.expire_all()
        row = session.get(Thread, int(thread["id"]))
        assert (row.title, row.body, row.author_username) == ("[deleted]", "[deleted]", "retired__abc")
        assert session.get(Comment, int(comment["id"])).body == "[deleted]"
        assert session.get(Comment, int(response["id"])).body == "An answer"
        assert {r.original_body for r in session.query(EditRecord).all()} == {"[deleted]"}
        assert session.query(Follow).filter(Follow.user_id == alice.id).count() == 0


def test_clear_flags_keeps_history_and_needs_privilege(app: Flask, events) -> None:
    publish(app)
    alice, bob = user_in(app), user_in(app)
    moderator = user_in(app, "discussion_moderator")
    thread = new_thread(client_of(app, alice))
    response = new_comment(client_of(app, alice), thread["id"])
    patch(client_of(app, bob), f"/api/discussion/v1/comments/{response['id']}/", {"abuse_flagged": True})
    with app.test_request_context():
        learner = forum_user(bob, COURSE)
        with pytest.raises(service.ForumError) as refused:
            service.clear_flags(learner, "comment", response["id"])
        assert refused.value.status == 403
        with pytest.raises(service.ForumError) as missing:
            service.clear_flags(forum_user(moderator, COURSE), "comment", 99999)
        assert missing.value.status == 404
        assert service.clear_flags(forum_user(moderator, COURSE), "comment", response["id"]) == 1
        session = db.session()
        assert session.get(Comment, int(response["id"])).abuse_flag_count == 0
        assert session.query(AbuseFlag).one().cleared_by_id == moderator.id
        assert [e.action for e in session.query(AuditEntry).all()] == ["flag.cleared"]
    unreported = events.of_type("edx.forum.response.unreported")
    assert unreported[-1]["event"]["reported_status_cleared"] is True


def test_delete_by_service_records_the_reason(app: Flask) -> None:
    publish(app)
    alice = user_in(app)
    moderator = user_in(app, "discussion_moderator")
    thread = new_thread(client_of(app, alice))
    with app.test_request_context():
        row = service.get_thread(thread["id"])
        service.delete_thread(forum_user(moderator, COURSE), row, "spam")
        assert service.get_thread(thread["id"]) is None
        entry = db.session().query(AuditEntry).one()
        assert (entry.action, entry.reason, entry.target_user_id) == ("thread.deleted", "spam", alice.id)
        assert service.get_thread("not-a-number") is None and service.get_comment(None) is None


def test_the_authors_own_posts_do_not_make_a_thread_unread_for_them(app: Flask) -> None:
    """As Open edX: a new thread is read by its author; their own response or comment keeps what they had read
    read, while others' posts they have not seen stay unread."""
    publish(app)
    alice, bob = user_in(app), user_in(app)
    a, b = client_of(app, alice), client_of(app, bob)

    def seen(client, thread_id: str) -> tuple[bool, int]:
        listed = client.get(THREADS, query_string={"course_id": COURSE}).get_json()["results"]
        row = next(t for t in listed if t["id"] == thread_id)
        return row["read"], row["unread_comment_count"]

    thread = new_thread(a)["id"]
    assert seen(a, thread) == (True, 0)
    assert a.get(THREADS, query_string={"course_id": COURSE, "view": "unread"}).get_json()["results"] == []
    response = new_comment(b, thread)["id"]  # bob answers without opening the thread first
    assert seen(b, thread) == (True, 0)
    assert seen(a, thread) == (False, 1)
    new_comment(a, thread, raw_body="Mine, without reading bob's")
    assert seen(a, thread) == (False, 1)  # bob's answer is still unread, alice's own is not
    assert a.get(f"{THREADS}{thread}/").status_code == 200  # alice reads the thread
    new_comment(a, thread, parent_id=response, raw_body="Thanks")
    assert seen(a, thread) == (True, 0)
    assert seen(b, thread) == (False, 2)
