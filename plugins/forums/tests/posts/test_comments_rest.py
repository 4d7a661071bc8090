"""The v1 comments endpoints: responses and comments (one level), lists with children, endorsement,
votes, flags, edits by others, deletion with counters, and their events."""

from __future__ import annotations

from flask import Flask

from .posts_kit import COMMENTS, THREADS, client_of, new_comment, new_thread, patch, publish, user_in

COMMENT_KEYS = {
    "id", "author", "author_label", "created_at", "updated_at", "raw_body", "rendered_body", "abuse_flagged",
    "abuse_flagged_any_user", "voted", "vote_count", "editable_fields", "can_delete", "anonymous",
    "anonymous_to_peers", "last_edit", "edit_by_label", "thread_id", "parent_id", "endorsed", "endorsed_by",
    "endorsed_by_label", "endorsed_at", "child_count", "children", "profile_image",
}


def test_responses_comments_and_depth(app: Flask, events) -> None:
    publish(app)
    alice, bob = user_in(app), user_in(app)
    a, b = client_of(app, alice), client_of(app, bob)
    thread = new_thread(a)
    response = new_comment(b, thread["id"], raw_body="A <b>response</b>")
    assert set(response) == COMMENT_KEYS
    assert response["parent_id"] is None and response["author"] == bob.username
    assert response["rendered_body"] == "<p>A &lt;b&gt;response&lt;/b&gt;</p>\n"
    assert response["editable_fields"] == ["abuse_flagged", "anonymous", "anonymous_to_peers", "raw_body", "voted"]
    comment = new_comment(a, thread["id"], parent_id=response["id"], raw_body="A comment")
    assert comment["parent_id"] == response["id"]
    too_deep = a.post(COMMENTS, json={"thread_id": thread["id"], "raw_body": "x", "parent_id": comment["id"]})
    assert too_deep.status_code == 400 and too_deep.get_json()["developer_message"] == "Comment level is too deep."
    other = new_thread(b)
    stray = a.post(COMMENTS, json={"thread_id": other["id"], "raw_body": "x", "parent_id": response["id"]})
    assert stray.status_code == 400 and "parent_id does not identify" in stray.get_json()["developer_message"]
    assert a.post(COMMENTS, json={"thread_id": "424242", "raw_body": "x"}).status_code == 404
    assert a.post(COMMENTS, json={"raw_body": "x"}).status_code == 400

    listed = a.get(COMMENTS, query_string={"thread_id": thread["id"]}).get_json()
    assert listed["pagination"]["count"] == 1
    [only] = listed["results"]
    assert only["child_count"] == 1 and [c["id"] for c in only["children"]] == [comment["id"]]
    children = a.get(f"{COMMENTS}{response['id']}/").get_json()
    assert [c["id"] for c in children["results"]] == [comment["id"]]
    assert a.get(f"{COMMENTS}99999/").get_json()["developer_message"] == "Comment not found."
    detail = a.get(f"{THREADS}{thread['id']}/").get_json()
    assert detail["comment_count"] == 3 and detail["response_count"] == 1

    assert events.of_type("edx.forum.response.created")[0]["event"]["discussion"] == {"id": thread["id"]}
    made = events.of_type("edx.forum.comment.created")[0]["event"]
    assert made["response"] == {"id": response["id"]} and made["discussion"] == {"id": thread["id"]}
    assert events.of_type("edx.forum.thread.viewed")[0]["event"]["id"] == thread["id"]

    # deleting the response takes its comment along and keeps the counters right
    assert a.delete(f"{COMMENTS}{response['id']}/").status_code == 403
    assert b.delete(f"{COMMENTS}{response['id']}/").status_code == 204
    after = a.get(f"{THREADS}{thread['id']}/").get_json()
    assert after["comment_count"] == 1 and after["response_count"] == 0
    assert events.of_type("edx.forum.response.deleted")[0]["event"]["own_content"] is True


def test_comment_list_pages_and_endorsed_filter(app: Flask) -> None:
    publish(app)
    a, b = client_of(app, user_in(app)), client_of(app, user_in(app))
    talk = new_thread(a)
    ids = [new_comment(b, talk["id"], raw_body=f"R{i}")["id"] for i in range(3)]
    page = a.get(COMMENTS, query_string={"thread_id": talk["id"], "page_size": 2}).get_json()
    assert [c["id"] for c in page["results"]] == ids[:2] and page["pagination"]["num_pages"] == 2
    reverse = a.get(COMMENTS, query_string={"thread_id": talk["id"], "reverse_order": "true"}).get_json()
    assert [c["id"] for c in reverse["results"]] == ids[::-1]
    assert a.get(COMMENTS, query_string={"thread_id": talk["id"], "page": 3, "page_size": 2}).status_code == 404
    refused = a.get(COMMENTS, query_string={"thread_id": talk["id"], "endorsed": "true"})
    assert refused.status_code == 400
    question = new_thread(a, type="question")
    required = a.get(COMMENTS, query_string={"thread_id": question["id"]})
    assert required.get_json()["field_errors"]["endorsed"]["developer_message"] == \
        "This field is required for question threads."
    assert a.get(COMMENTS, query_string={"thread_id": talk["id"], "flagged": "true"}).status_code == 400


def test_endorse_marks_answered_and_unanswered_view(app: Flask, events) -> None:
    publish(app)
    alice, bob = user_in(app), user_in(app)
    a, b = client_of(app, alice), client_of(app, bob)
    ta = client_of(app, user_in(app, "community_ta"))
    question = new_thread(a, type="question", topic_id="qa")
    talk = new_thread(a)
    answer = new_comment(b, question["id"])
    reply = new_comment(b, talk["id"])
    assert "endorsed" not in b.get(COMMENTS, query_string={"thread_id": question["id"], "endorsed": "false"}
                                   ).get_json()["results"][0]["editable_fields"]
    # the author of a question marks the answer; on a discussion only privileged users endorse
    assert patch(b, f"{COMMENTS}{answer['id']}/", {"endorsed": True}).status_code == 400
    assert patch(a, f"{COMMENTS}{reply['id']}/", {"endorsed": True}).status_code == 400
    marked = patch(a, f"{COMMENTS}{answer['id']}/", {"endorsed": True}).get_json()
    assert marked["endorsed"] is True and marked["endorsed_by"] == alice.username and marked["endorsed_at"]
    assert patch(ta, f"{COMMENTS}{reply['id']}/", {"endorsed": True}).get_json()["endorsed_by_label"] == \
        "Community TA"
    assert a.get(f"{THREADS}{question['id']}/").get_json()["has_endorsed"] is True
    listing = {"course_id": question["course_id"], "view": "unanswered"}
    assert a.get(THREADS, query_string=listing).get_json()["results"] == []
    endorsed = a.get(COMMENTS, query_string={"thread_id": question["id"], "endorsed": "true"}).get_json()
    assert [c["id"] for c in endorsed["results"]] == [answer["id"]]
    mark = events.of_type("edx.forum.response.mark")
    assert mark[0]["event"]["is_endorsed"] is True and mark[0]["event"]["mark_type"] == "Answer"
    assert mark[0]["event"]["target_username"] == bob.username
    assert mark[0]["event"]["discussion"] == {"id": question["id"]}
    patch(a, f"{COMMENTS}{answer['id']}/", {"endorsed": False})
    assert events.of_type("edx.forum.response.unmark")[0]["event"]["is_endorsed"] is False
    assert [t["id"] for t in a.get(THREADS, query_string=listing).get_json()["results"]] == [question["id"]]


def test_comment_votes_flags_and_edits_by_others(app: Flask, events) -> None:
    publish(app)
    alice, bob = user_in(app), user_in(app)
    a, b = client_of(app, alice), client_of(app, bob)
    moderator = client_of(app, user_in(app, "discussion_moderator"))
    thread = new_thread(a)
    response = new_comment(b, thread["id"])
    url = f"{COMMENTS}{response['id']}/"
    assert patch(a, url, {"voted": True}).get_json()["vote_count"] == 1
    assert patch(a, url, {"voted": True}).get_json()["vote_count"] == 1
    assert events.of_type("edx.forum.response.voted")[0]["event"]["target_username"] == bob.username
    assert patch(a, url, {"raw_body": "not mine"}).get_json()["field_errors"]["raw_body"]["developer_message"] == \
        "This field is not editable."
    assert patch(a, url, {"thread_id": "1"}).get_json()["field_errors"]["thread_id"]["developer_message"] == \
        "This field is not allowed in an update."
    flagged = patch(a, url, {"abuse_flagged": True}).get_json()
    assert flagged["abuse_flagged"] is True and flagged["abuse_flagged_any_user"] is None
    assert events.of_type("edx.forum.response.reported")[0]["event"]["content_type"] == "Response"
    seen = moderator.get(COMMENTS, query_string={"thread_id": thread["id"]}).get_json()["results"][0]
    assert seen["abuse_flagged_any_user"] is True and "edit_reason_code" in seen["editable_fields"]
    bad = patch(moderator, url, {"raw_body": "Cleaned", "edit_reason_code": "bogus"})
    assert bad.get_json()["field_errors"]["edit_reason_code"]["developer_message"] == "Invalid edit reason code"
    edited = patch(moderator, url, {"raw_body": "Cleaned", "edit_reason_code": "violates-guidelines"}).get_json()
    assert edited["raw_body"] == "Cleaned"
    assert edited["last_edit"]["reason_code"] == "violates-guidelines"
    assert edited["last_edit"]["reason"] == "Violates community guidelines"
    assert edited["edit_by_label"] == "Moderator"
    mine = b.get(COMMENTS, query_string={"thread_id": thread["id"]}).get_json()["results"][0]
    assert mine["last_edit"]["original_body"] == "An answer"
    assert a.get(COMMENTS, query_string={"thread_id": thread["id"]}).get_json()["results"][0]["last_edit"] is None
    event = events.of_type("edx.forum.response.edited")[0]["event"]
    assert event["own_content"] is False and event["edit_reason"] == "violates-guidelines"
    assert a.patch(url, json={"voted": False}).status_code == 415


def test_user_comments_listing(app: Flask) -> None:
    publish(app)
    alice, bob = user_in(app), user_in(app)
    a, b = client_of(app, alice), client_of(app, bob)
    thread = new_thread(a)
    shown = new_comment(b, thread["id"])
    new_comment(b, thread["id"], anonymous_to_peers=True)
    listed = a.get(COMMENTS, query_string={"username": bob.username, "course_id": thread["course_id"]}).get_json()
    assert [c["id"] for c in listed["results"]] == [shown["id"]]
    assert listed["results"][0]["endorsed_by"] is None
    assert a.get(COMMENTS, query_string={"username": "ghost-user", "course_id": thread["course_id"]}
                 ).status_code == 404
