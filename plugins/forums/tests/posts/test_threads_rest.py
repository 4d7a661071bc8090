"""The v1 threads endpoints: create, list (pagination, filters, views), detail, PATCH, DELETE, events."""

from __future__ import annotations

from flask import Flask
from kampus_forums.moderation.models import AuditEntry
from kampus_forums.threads.models import Comment, Thread

from kampus import db

from .posts_kit import (
    COMMENTS,
    COURSE,
    THREADS,
    client_of,
    new_comment,
    new_thread,
    patch,
    post_thread,
    publish,
    user_in,
)

THREAD_KEYS = {
    "id", "author", "author_label", "created_at", "updated_at", "raw_body", "rendered_body", "preview_body",
    "abuse_flagged", "abuse_flagged_count", "voted", "vote_count", "editable_fields", "can_delete", "anonymous",
    "anonymous_to_peers", "last_edit", "edit_by_label", "course_id", "topic_id", "group_id", "group_name", "type",
    "title", "pinned", "closed", "following", "comment_count", "unread_comment_count", "comment_list_url",
    "endorsed_comment_list_url", "non_endorsed_comment_list_url", "read", "has_endorsed", "response_count",
    "close_reason_code", "close_reason", "closed_by", "closed_by_label",
}


def test_create_and_read_a_thread(app: Flask, events) -> None:
    publish(app)
    alice = user_in(app)
    client = client_of(app, alice)
    made = new_thread(client, title="First", raw_body="Hello **world** $x^2$")
    assert set(made) == THREAD_KEYS
    assert made["author"] == alice.username and made["author_label"] is None
    assert made["rendered_body"].startswith("<p>Hello <strong>world</strong>")
    assert made["editable_fields"] == ["abuse_flagged", "anonymous", "anonymous_to_peers", "copy_link", "following",
                                       "raw_body", "read", "title", "topic_id", "type", "voted"]
    assert made["following"] is True and made["can_delete"] is True and made["comment_count"] == 1
    assert made["abuse_flagged_count"] is None
    assert made["comment_list_url"].endswith(f"/api/discussion/v1/comments/?thread_id={made['id']}")
    created = events.of_type("edx.forum.thread.created")
    assert len(created) == 1
    data = created[0]["event"]
    assert data["id"] == made["id"] and data["commentable_id"] == "course" and data["title"] == "First"
    assert data["options"] == {"followed": True} and data["thread_type"] == "discussion"
    assert created[0]["context"]["course_id"] == COURSE

    detail = client.get(f"{THREADS}{made['id']}/")
    assert detail.status_code == 200
    assert detail.get_json()["read"] is True and detail.get_json()["unread_comment_count"] == 0


def test_create_validation(app: Flask) -> None:
    publish(app)
    client = client_of(app, user_in(app))
    missing = client.post(THREADS, json={"course_id": COURSE})
    assert missing.status_code == 400
    assert set(missing.get_json()["field_errors"]) == {"topic_id", "type", "title", "raw_body"}
    blank = post_thread(client, title="  ")
    assert blank.get_json()["field_errors"]["title"]["developer_message"] == "This field may not be blank."
    assert post_thread(client, topic_id="nope").status_code == 400
    assert post_thread(client, pinned=True).get_json()["field_errors"]["pinned"]["developer_message"] == \
        "This field is not initializable."
    assert client.post(THREADS, json={"topic_id": "course"}).get_json()["field_errors"]["course_id"] == \
        {"developer_message": "This field is required."}
    assert post_thread(client, course_id="course-v1:No+Such+Course").status_code == 404
    assert app.test_client().post(THREADS, json={"course_id": COURSE}).status_code == 401


def test_list_pagination_pinned_first_and_orders(app: Flask) -> None:
    publish(app)
    client = client_of(app, user_in(app))
    staff = client_of(app, user_in(app, "staff"))
    ids = [new_thread(client, title=f"T{i}")["id"] for i in range(12)]
    assert patch(staff, f"{THREADS}{ids[0]}/", {"pinned": True}).status_code == 200
    page1 = client.get(THREADS, query_string={"course_id": COURSE, "page_size": 5}).get_json()
    assert page1["pagination"]["count"] == 12 and page1["pagination"]["num_pages"] == 3
    assert page1["pagination"]["previous"] is None and "page=2" in page1["pagination"]["next"]
    assert page1["text_search_rewrite"] is None
    assert [t["id"] for t in page1["results"]] == [ids[0], ids[11], ids[10], ids[9], ids[8]]
    page3 = client.get(THREADS, query_string={"course_id": COURSE, "page_size": 5, "page": 3}).get_json()
    assert [t["id"] for t in page3["results"]] == [ids[2], ids[1]] and page3["pagination"]["next"] is None
    assert client.get(THREADS, query_string={"course_id": COURSE, "page_size": 5, "page": 4}).status_code == 404
    assert client.get(THREADS, query_string={"course_id": COURSE, "page_size": 0}).status_code == 400
    assert client.get(THREADS, query_string={"course_id": COURSE, "page_size": 500}).get_json()[
        "pagination"]["num_pages"] == 1
    assert client.get(THREADS, query_string={"course_id": "bad"}).status_code == 400
    assert client.get(THREADS).status_code == 400
    assert app.test_client().get(THREADS).status_code == 401
    assert client.get(THREADS, query_string={"course_id": COURSE, "following": "false"}).status_code == 400
    exclusive = client.get(THREADS, query_string={"course_id": COURSE, "following": "true", "topic_id": "course"})
    assert exclusive.status_code == 400 and "mutually exclusive" in exclusive.get_json()["developer_message"]
    counted = client.get(THREADS, query_string={"course_id": COURSE, "count_flagged": "true"})
    assert counted.status_code == 403
    new_comment(client, ids[5])
    by_comments = client.get(THREADS, query_string={"course_id": COURSE, "order_by": "comment_count"}).get_json()
    assert [t["id"] for t in by_comments["results"][:2]] == [ids[0], ids[5]]


def test_filters_following_author_topic_and_views(app: Flask) -> None:
    publish(app)
    alice, bob = user_in(app), user_in(app)
    a, b = client_of(app, alice), client_of(app, bob)
    question = new_thread(a, type="question", topic_id="qa", title="Q")
    talk = new_thread(b, topic_id="course", title="D")
    listing = {"course_id": COURSE}
    assert [t["id"] for t in a.get(THREADS, query_string={**listing, "following": "true"}).get_json()["results"]] \
        == [question["id"]]
    assert [t["id"] for t in a.get(THREADS, query_string={**listing, "author": bob.username}).get_json()["results"]] \
        == [talk["id"]]
    unknown = a.get(THREADS, query_string={**listing, "author": "nobody-here"}).get_json()
    assert unknown["results"] == [] and unknown["pagination"]["count"] == 0
    assert [t["id"] for t in a.get(THREADS, query_string={**listing, "topic_id": "qa"}).get_json()["results"]] \
        == [question["id"]]
    assert [t["id"] for t in a.get(THREADS, query_string={**listing, "thread_type": "question"}).get_json()[
        "results"]] == [question["id"]]
    unread = a.get(THREADS, query_string={**listing, "view": "unread"}).get_json()
    assert [t["id"] for t in unread["results"]] == [talk["id"]]  # alice's own question is read by her
    a.get(f"{THREADS}{talk['id']}/")
    assert a.get(THREADS, query_string={**listing, "view": "unread"}).get_json()["results"] == []
    unresponded = a.get(THREADS, query_string={**listing, "view": "unresponded"}).get_json()
    assert len(unresponded["results"]) == 2
    new_comment(b, talk["id"])
    unresponded = a.get(THREADS, query_string={**listing, "view": "unresponded"}).get_json()
    assert [t["id"] for t in unresponded["results"]] == [question["id"]]
    unread = a.get(THREADS, query_string={**listing, "view": "unread"}).get_json()
    assert [t["id"] for t in unread["results"]] == [talk["id"]]  # bob's new response
    assert a.get(THREADS, query_string={**listing, "view": "bad"}).status_code == 400


def test_thread_detail_404s(app: Flask) -> None:
    publish(app)
    client = client_of(app, user_in(app))
    assert client.get(f"{THREADS}999/").get_json()["developer_message"] == "Thread not found."
    assert client.get(f"{THREADS}abc/").status_code == 404
    made = new_thread(client)
    outsider = client_of(app, user_in(app, enrolled=False))
    assert outsider.get(f"{THREADS}{made['id']}/").status_code == 404
    assert app.test_client().get(f"{THREADS}{made['id']}/").status_code == 401


def test_patch_requires_merge_patch_and_editable_fields(app: Flask, events) -> None:
    publish(app)
    alice, bob = user_in(app), user_in(app)
    a, b = client_of(app, alice), client_of(app, bob)
    made = new_thread(a)
    url = f"{THREADS}{made['id']}/"
    assert a.patch(url, json={"title": "x"}).status_code == 415
    changed = patch(a, url, {"title": "New title", "raw_body": "New body"})
    assert changed.status_code == 200
    body = changed.get_json()
    assert body["title"] == "New title" and body["raw_body"] == "New body" and body["read"] is True
    assert body["last_edit"]["original_body"] == "Some *text*"
    assert events.of_type("edx.forum.thread.edited")[0]["event"]["own_content"] is True
    refused = patch(b, url, {"title": "Hacked"})
    assert refused.status_code == 400
    assert refused.get_json()["field_errors"]["title"]["developer_message"] == "This field is not editable."
    for field in ("pinned", "closed"):
        assert patch(b, url, {field: True}).status_code == 400
    assert patch(a, url, {"course_id": "x"}).get_json()["field_errors"]["course_id"]["developer_message"] == \
        "This field is not allowed in an update."
    assert b.delete(url).status_code == 403
    assert patch(a, f"{THREADS}777/", {"title": "x"}).status_code == 404


def test_votes_once_per_user_and_follow_flag(app: Flask, events) -> None:
    publish(app)
    alice, bob, carol = user_in(app), user_in(app), user_in(app)
    made = new_thread(client_of(app, alice))
    url = f"{THREADS}{made['id']}/"
    b, c = client_of(app, bob), client_of(app, carol)
    assert patch(b, url, {"voted": True}).get_json()["vote_count"] == 1
    again = patch(b, url, {"voted": True}).get_json()
    assert again["vote_count"] == 1 and again["voted"] is True
    assert patch(c, url, {"voted": True}).get_json()["vote_count"] == 2
    assert patch(b, url, {"voted": False}).get_json()["vote_count"] == 1
    voted = events.of_type("edx.forum.thread.voted")
    assert [e["event"]["undo_vote"] for e in voted] == [False, False, True]
    assert voted[0]["event"]["target_username"] == alice.username
    assert patch(b, url, {"following": True}).get_json()["following"] is True
    assert len(events.of_type("edx.forum.thread.followed")) == 1
    flagged = patch(b, url, {"abuse_flagged": True}).get_json()
    assert flagged["abuse_flagged"] is True and flagged["abuse_flagged_count"] is None
    assert events.of_type("edx.forum.thread.reported")[0]["event"]["content_type"] == "Post"
    moderator = client_of(app, user_in(app, "discussion_moderator"))
    seen = moderator.get(url).get_json()
    assert seen["abuse_flagged"] is True and seen["abuse_flagged_count"] == 1
    listed = moderator.get(THREADS, query_string={"course_id": COURSE, "flagged": "true",
                                                  "count_flagged": "true"}).get_json()
    assert [t["id"] for t in listed["results"]] == [made["id"]]
    cleared = patch(moderator, url, {"abuse_flagged": False}).get_json()
    assert cleared["abuse_flagged"] is False and cleared["abuse_flagged_count"] == 0
    assert events.of_type("edx.forum.thread.unreported")[0]["event"]["reported_status_cleared"] is True
    from kampus_forums.interactions.models import AbuseFlag
    from kampus_forums.moderation.models import AuditEntry

    with app.app_context():
        from kampus import db
        flags = db.session().query(AbuseFlag).all()
        assert len(flags) == 1 and flags[0].cleared_at is not None
        assert [e.action for e in db.session().query(AuditEntry).all()] == ["flag.cleared"]


def test_pin_close_and_delete_roles(app: Flask, events) -> None:
    publish(app)
    alice = user_in(app)
    a = client_of(app, alice)
    ta = client_of(app, user_in(app, "community_ta"))
    moderator = client_of(app, user_in(app, "discussion_moderator"))
    made = new_thread(a)
    url = f"{THREADS}{made['id']}/"
    assert "pinned" in ta.get(url).get_json()["editable_fields"]
    assert patch(ta, url, {"pinned": True}).get_json()["pinned"] is True
    assert events.of_type("edx.forum.thread.pinned")
    bad = patch(ta, url, {"closed": True, "close_reason_code": "nonsense"})
    assert bad.get_json()["field_errors"]["close_reason_code"]["developer_message"] == "Invalid close reason code"
    closed = patch(ta, url, {"closed": True, "close_reason_code": "off-topic"}).get_json()
    assert closed["closed"] is True and closed["close_reason"] == "Post is off-topic"
    assert closed["closed_by_label"] == "Community TA"
    locked = events.of_type("edx.forum.thread.locked")
    assert locked[0]["event"]["lock_reason"] == "off-topic"
    # a closed thread: the author can no longer edit nor answer
    learner_view = a.get(url).get_json()
    assert learner_view["editable_fields"] == ["abuse_flagged", "copy_link", "read"]
    assert learner_view["close_reason"] == "Post is off-topic" and learner_view["closed_by"] is not None
    assert patch(a, url, {"raw_body": "x"}).status_code == 400
    assert a.post(COMMENTS, json={"thread_id": made["id"], "raw_body": "late"}).status_code == 403
    other = client_of(app, user_in(app)).get(url).get_json()
    assert other["close_reason"] is None and other["closed_by"] is None
    # a community TA does not delete others' posts; a moderator does (audited)
    assert ta.get(url).get_json()["can_delete"] is False
    assert ta.delete(url).status_code == 403
    assert moderator.delete(url).status_code == 204
    assert a.get(url).status_code == 404
    deleted = events.of_type("edx.forum.thread.deleted")[0]["event"]
    assert deleted["own_content"] is False and deleted["target_username"] == alice.username
    assert a.get(THREADS, query_string={"course_id": COURSE}).get_json()["pagination"]["count"] == 0


def test_learner_endpoint_lists_an_authors_threads(app: Flask) -> None:
    publish(app)
    alice, bob = user_in(app), user_in(app)
    made = new_thread(client_of(app, alice))
    new_thread(client_of(app, alice), anonymous_to_peers=True)
    b = client_of(app, bob)
    answer = b.get(f"/api/discussion/v1/courses/{COURSE}/learner/", query_string={"username": alice.username})
    assert answer.status_code == 200
    assert [t["id"] for t in answer.get_json()["results"]] == [made["id"]]
    assert alice.username in answer.get_json()["results"][0]["users"]
    assert b.get(f"/api/discussion/v1/courses/{COURSE}/learner/").status_code == 400


def test_endpoints_are_in_the_openapi_document(app: Flask) -> None:
    paths = app.test_client().get("/api/openapi.json").get_json()["paths"]
    for path, methods in {"/api/discussion/v1/threads/": {"get", "post"},
                          "/api/discussion/v1/threads/{thread_id}/": {"get", "patch", "delete"},
                          "/api/discussion/v1/comments/": {"get", "post"},
                          "/api/discussion/v1/comments/{comment_id}/": {"get", "patch", "delete"},
                          "/api/discussion/v1/courses/{course_id}/learner/": {"get"}}.items():
        assert methods <= set(paths[path]), path


def test_text_search_lists_matching_threads(app: Flask, events) -> None:
    publish(app)
    client = client_of(app, user_in(app))
    wanted = new_thread(client, title="Eigenvalues of matrices", raw_body="How do I find them?")
    new_thread(client, title="Office hours", raw_body="When are they?")
    found = client.get(THREADS, query_string={"course_id": COURSE, "text_search": "eigenvalues"}).get_json()
    assert [t["id"] for t in found["results"]] == [wanted["id"]] and found["text_search_rewrite"] is None
    none = client.get(THREADS, query_string={"course_id": COURSE, "text_search": "zebra"}).get_json()
    assert none["results"] == [] and none["pagination"]["count"] == 0
    searched = events.of_type("edx.forum.searched")
    assert searched[0]["event"]["query"] == "eigenvalues" and searched[0]["event"]["total_results"] == 1
    assert searched[0]["event"]["search_type"] == "Content"
    question = new_thread(client, type="question")
    merged = client.get(COMMENTS, query_string={"thread_id": question["id"], "merge_question_type_responses": "true"})
    assert merged.status_code == 200


def test_a_double_submit_posts_once(app: Flask, events) -> None:
    publish(app)
    client = client_of(app, user_in(app))
    first = new_thread(client, title="Twice", raw_body="Same")
    assert new_thread(client, title="Twice", raw_body="Same")["id"] == first["id"]
    assert new_thread(client, title="Twice", raw_body="Different")["id"] != first["id"]
    response = new_comment(client, first["id"], raw_body="Same reply")
    assert new_comment(client, first["id"], raw_body="Same reply")["id"] == response["id"]
    assert len(events.of_type("edx.forum.thread.created")) == 2
    assert len(events.of_type("edx.forum.response.created")) == 1
    assert client.get(f"{THREADS}{first['id']}/").get_json()["comment_count"] == 2


def test_a_moderators_delete_reason_lands_in_the_audit_log(app: Flask) -> None:
    """The web client sends ``?reason=`` on DELETE; an API client may send ``{"reason"}`` as JSON."""
    publish(app)
    a = client_of(app, user_in(app))
    moderator = client_of(app, user_in(app, "discussion_moderator"))
    first, second = new_thread(a, title="Kept"), new_thread(a, title="Spam")
    response = new_comment(a, first["id"])
    assert moderator.delete(f"{THREADS}{second['id']}/", query_string={"reason": "Spam link"}).status_code == 204
    gone = moderator.delete(f"{COMMENTS}{response['id']}/", json={"reason": "Rude"})
    assert gone.status_code == 204, gone.get_data(as_text=True)
    assert moderator.delete(f"{THREADS}{first['id']}/", json=["not", "an object"]).status_code == 400
    assert moderator.delete(f"{THREADS}{first['id']}/", json={"reason": 3}).status_code == 400
    with app.app_context():
        entries = {e.action: e.reason for e in db.session().query(AuditEntry).all()}
        assert entries == {"thread.deleted": "Spam link", "response.deleted": "Rude"}
        assert db.session().get(Thread, int(second["id"])).delete_reason == "Spam link"
        assert db.session().get(Comment, int(response["id"])).delete_reason == "Rude"
        assert db.session().get(Thread, int(first["id"])).deleted_at is None
