"""activity_stats numbers and permissions; retire_forum and replace_username (the names the tables and the
REST API show); bulk deletion of a user's posts."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask
from kampus_forums.notifications.models import Notification
from kampus_forums.threads.models import Comment, Thread

from kampus import db

from .course_kit import API, COURSE, add_comment, add_thread, client_of, publish_discussion_course, user_in

STATS = f"{API}/v1/courses/{COURSE}/activity_stats"


def _authors(app: Flask, user: Any) -> tuple[set[str], set[str]]:
    with app.app_context():
        threads = set(db.session().scalars(sa.select(Thread.author_username).where(Thread.author_id == user.id)))
        comments = set(db.session().scalars(sa.select(Comment.author_username).where(Comment.author_id == user.id)))
        return threads, comments


def test_activity_stats_numbers_order_and_privacy(app: Flask, events: Any) -> None:
    publish_discussion_course(app)
    ada, bob, cyd = user_in(app, username="ada"), user_in(app, username="bob"), user_in(app, username="cyd")
    flagger = user_in(app, username="zed")
    t1 = add_thread(app, ada)
    add_thread(app, ada, flaggers=[flagger])
    add_thread(app, ada, deleted=True)
    response = add_comment(app, bob, t1)
    add_comment(app, bob, t1, parent_id=response)
    add_comment(app, bob, t1, parent_id=response, cleared_flaggers=[flagger])
    add_comment(app, cyd, t1, flaggers=[flagger])
    with app.app_context():  # anonymous posts are not counted
        db.session().execute(sa.update(Thread).where(Thread.id == t1).values(anonymous=False))
        db.session().add(Thread(course_id=COURSE, commentable_id="course", title="anon", body="x",
                                author_id=cyd.id, author_username="cyd", anonymous=True))
        db.session().commit()

    moderator = client_of(app, user_in(app, "discussion_moderator", username="mod"))
    body = moderator.get(STATS).get_json()
    assert body["pagination"]["count"] == 3
    by_name = {row["username"]: row for row in body["results"]}
    assert by_name["ada"] == {"username": "ada", "threads": 2, "responses": 0, "replies": 0, "active_flags": 1,
                              "inactive_flags": 0}
    assert by_name["bob"] == {"username": "bob", "threads": 0, "responses": 1, "replies": 2, "active_flags": 0,
                              "inactive_flags": 1}
    assert by_name["cyd"]["responses"] == 1 and by_name["cyd"]["threads"] == 0
    assert [r["username"] for r in body["results"]] == ["cyd", "ada", "bob"]  # flagged first by default
    activity = moderator.get(STATS, query_string={"order_by": "activity"}).get_json()
    assert [r["username"] for r in activity["results"]] == ["ada", "bob", "cyd"]
    second = moderator.get(STATS, query_string={"order_by": "activity", "page_size": 2, "page": 2}).get_json()
    assert [r["username"] for r in second["results"]] == ["cyd"] and second["pagination"]["num_pages"] == 2
    assert moderator.get(STATS, query_string={"order_by": "nonsense"}).status_code == 400

    learner = client_of(app, ada)
    mine = learner.get(STATS).get_json()
    assert [r["username"] for r in mine["results"]] == ["ada", "bob", "cyd"]  # activity by default
    assert all(r["active_flags"] is None and r["inactive_flags"] is None for r in mine["results"])
    refused = learner.get(STATS, query_string={"order_by": "flagged"})
    assert refused.status_code == 400
    assert refused.get_json()["field_errors"]["order_by"]["developer_message"] == "Invalid value"

    found = moderator.get(STATS, query_string={"username": "ZE"}).get_json()
    assert found["results"] == [{"username": "zed", "threads": 0, "responses": 0, "replies": 0,
                                 "active_flags": 0, "inactive_flags": 0}]
    searched = events.of_type("edx.forum.searched")
    assert searched[-1]["event"] == {"query": "ZE", "search_type": "Learner", "page": 1, "sort_key": "flagged",
                                     "total_results": 1}
    assert app.test_client().get(STATS).status_code == 401
    assert client_of(app, user_in(app, enrolled=False)).get(STATS).status_code == 404


def test_retire_forum_replaces_the_name_everywhere(app: Flask) -> None:
    publish_discussion_course(app)
    gone = user_in(app, username="leaving")
    thread_id = add_thread(app, gone, title="My thread", body="secret")
    response_id = add_comment(app, gone, thread_id, body="my answer")
    url = f"{API}/v1/accounts/retire_forum/"
    assert app.test_client().post(url, json={"username": gone.username}).status_code == 401
    assert client_of(app, user_in(app, "discussion_admin")).post(url, json={"username": gone.username}).status_code \
        == 403
    service = client_of(app, user_in(app, "superuser", enrolled=False))
    assert service.post(url, json={"username": "nobody-here"}).status_code == 404
    assert service.post(url, json={}).status_code == 400
    assert service.post(url, json={"username": gone.username}).status_code == 204
    threads, comments = _authors(app, gone)
    assert len(threads) == 1 and threads == comments
    retired = threads.pop()
    assert retired.startswith("retired__user_") and "leaving" not in retired
    with app.app_context():
        thread = db.session().get(Thread, thread_id)
        assert (thread.title, thread.body) == ("[deleted]", "[deleted]")
        assert db.session().get(Comment, response_id).body == "[deleted]"
    reader = client_of(app, user_in(app))
    shown = reader.get(f"{API}/v1/threads/{thread_id}/")
    assert shown.status_code == 200 and shown.get_json()["author"] == retired  # what the REST API shows
    listed = reader.get(f"{API}/v1/comments/", query_string={"thread_id": thread_id}).get_json()
    assert [c["author"] for c in listed["results"]] == [retired]


def test_retire_forum_clears_the_name_and_text_from_notifications(app: Flask) -> None:
    publish_discussion_course(app)
    gone, reader = user_in(app, username="leaving"), user_in(app, username="reader")
    thread_id = add_thread(app, gone, title="My thread", body="secret")
    response_id = add_comment(app, gone, thread_id, body="my answer")
    with app.app_context():
        db.session().add_all([
            Notification(user_id=reader.id, course_id=COURSE, kind="new_response", thread_id=thread_id,
                         comment_id=response_id, actor_id=gone.id,
                         data={"author": "leaving", "thread_title": "My thread", "preview": "my answer"}),
            Notification(user_id=gone.id, course_id=COURSE, kind="new_response", thread_id=thread_id,
                         comment_id=None, actor_id=reader.id,
                         data={"author": "reader", "thread_title": "My thread", "preview": "secret"})])
        db.session().commit()
    service = client_of(app, user_in(app, "superuser", enrolled=False))
    assert service.post(f"{API}/v1/accounts/retire_forum/", json={"username": "leaving"}).status_code == 204
    retired = _authors(app, gone)[0].pop()
    with app.app_context():
        data = sorted((n.data for n in db.session().scalars(sa.select(Notification))), key=lambda d: d["author"])
    assert data == [{"author": "reader", "thread_title": "[deleted]", "preview": "[deleted]"},
                    {"author": retired, "thread_title": "[deleted]", "preview": "[deleted]"}]


def test_replace_username(app: Flask) -> None:
    publish_discussion_course(app)
    renamed = user_in(app, username="newname")
    thread_id = add_thread(app, renamed)
    add_comment(app, renamed, thread_id)
    with app.app_context():
        db.session().execute(sa.update(Thread).values(author_username="oldname"))
        db.session().execute(sa.update(Comment).values(author_username="oldname"))
        db.session().commit()
    url = f"{API}/v1/accounts/replace_username"
    service = client_of(app, user_in(app, "global_staff", enrolled=False))
    answer = service.post(url, json={"username_mappings": [{"oldname": "newname"}, {"ghost": "ghost2"}]})
    assert answer.status_code == 200
    assert answer.get_json() == {"successful_replacements": [{"oldname": "newname"}, {"ghost": "ghost2"}],
                                 "failed_replacements": []}
    assert _authors(app, renamed) == ({"newname"}, {"newname"})
    for bad in ({}, {"username_mappings": "x"}, {"username_mappings": [{"a": "b", "c": "d"}]},
                {"username_mappings": [{"a": 3}]}):
        refused = service.post(url, json=bad)
        assert refused.status_code == 400 and refused.get_json()["message"] == "Request data does not match schema"
    assert client_of(app, user_in(app)).post(url, json={"username_mappings": []}).status_code == 403


def test_bulk_delete_user_posts(app: Flask) -> None:
    publish_discussion_course(app)
    spammer, other = user_in(app), user_in(app)
    first = add_thread(app, spammer)
    add_thread(app, spammer)
    others = add_thread(app, other)
    response = add_comment(app, spammer, others)
    add_comment(app, spammer, others, parent_id=response)
    add_comment(app, spammer, first)
    kept = add_comment(app, other, others)
    url = f"{API}/v1/bulk_delete_user_posts/{COURSE}"
    moderator = client_of(app, user_in(app, "discussion_moderator"))
    counted = moderator.post(url, query_string={"username": spammer.username})
    assert counted.status_code == 202 and counted.get_json() == {"comment_count": 3, "thread_count": 2}
    assert _live(app, spammer) == (2, 3)
    assert moderator.post(url).status_code == 400
    assert moderator.post(url, query_string={"username": spammer.username, "course_or_org": "x"}).status_code == 400
    assert moderator.post(url, query_string={"username": "ghost"}).status_code == 404
    assert client_of(app, user_in(app, "community_ta")).post(
        url, query_string={"username": spammer.username}).status_code == 403
    done = moderator.post(url, query_string={"username": spammer.username, "execute": "true"})
    assert done.status_code == 202 and done.get_json() == {"comment_count": 3, "thread_count": 2}
    assert _live(app, spammer) == (0, 0)
    with app.app_context():
        assert db.session().get(Comment, kept).deleted_at is None
        assert db.session().get(Thread, others).deleted_at is None
    log = moderator.get(f"{API}/v1/moderation/audit-log/", query_string={"course_id": COURSE,
                                                                       "action": "user.posts_deleted"}).get_json()
    assert log["results"][0]["details"] == {"threads": 2, "comments": 3}


def _live(app: Flask, user: Any) -> tuple[int, int]:
    with app.app_context():
        threads = db.session().scalar(sa.select(sa.func.count()).select_from(Thread).where(
            Thread.author_id == user.id, Thread.deleted_at.is_(None)))
        comments = db.session().scalar(sa.select(sa.func.count()).select_from(Comment).where(
            Comment.author_id == user.id, Comment.deleted_at.is_(None)))
        return int(threads or 0), int(comments or 0)
