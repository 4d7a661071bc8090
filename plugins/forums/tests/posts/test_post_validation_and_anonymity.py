"""A refused post writes nothing (Open edX validates the action fields before saving), text that is not
valid Unicode is a field error (never a 500), and the last edit of an anonymous post does not name its
author to a reader who may not see them."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from flask import Flask
from kampus_forums.threads.models import Comment, Thread

from kampus import db
from kampus.testing import DEFAULT_COURSE

from .posts_kit import (
    COMMENTS,
    COURSE,
    MERGE_PATCH,
    THREADS,
    client_of,
    new_comment,
    new_thread,
    patch,
    publish,
    user_in,
)

SURROGATE = "\\ud800"  # JSON's escape of a lone surrogate, which Python's json turns into "\ud800"


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session().scalar(sa.select(sa.func.count()).select_from(model))


def _raw_json(client: Any, method: str, url: str, text: str, content_type: str = "application/json") -> Any:
    return client.open(url, method=method, data=text, content_type=content_type)


def test_a_thread_with_a_bad_action_field_is_not_created(app: Flask, events) -> None:
    publish(app)
    client = client_of(app, user_in(app))
    base = {"course_id": COURSE, "topic_id": "course", "type": "discussion", "title": "T", "raw_body": "B"}
    for field in ("following", "voted", "abuse_flagged", "read"):
        answer = client.post(THREADS, json={**base, field: "maybe"})
        assert answer.status_code == 400, field
        assert answer.get_json()["field_errors"][field]["developer_message"] == "Must be a valid boolean."
    # the action's error comes with the thread's own errors
    both = client.post(THREADS, json={**base, "title": " ", "voted": "maybe"}).get_json()["field_errors"]
    assert set(both) == {"title", "voted"}
    assert _count(app, Thread) == 0 and events.of_type("edx.forum.thread.created") == []
    made = client.post(THREADS, json={**base, "following": "false", "voted": "true"}).get_json()
    assert made["following"] is False and made["voted"] is True and made["vote_count"] == 1


def test_a_comment_with_a_bad_action_field_is_not_created(app: Flask, events) -> None:
    publish(app)
    client = client_of(app, user_in(app))
    thread = new_thread(client, type="question")
    response = new_comment(client, thread["id"])
    before = _count(app, Comment)
    for field in ("voted", "abuse_flagged", "endorsed"):
        answer = client.post(COMMENTS, json={"thread_id": thread["id"], "raw_body": "x", field: "maybe"})
        assert answer.status_code == 400, field
        assert answer.get_json()["field_errors"][field]["developer_message"] == "Must be a valid boolean."
    # a comment on a response cannot be endorsed: refused before it is written
    answer = client.post(COMMENTS, json={"thread_id": thread["id"], "parent_id": response["id"], "raw_body": "x",
                                         "endorsed": True})
    assert answer.status_code == 400
    assert answer.get_json()["field_errors"]["endorsed"]["developer_message"] == "This field is not initializable."
    assert _count(app, Comment) == before
    assert len(events.of_type("edx.forum.response.created")) == 1 and events.of_type("edx.forum.comment.created") == []


def test_lone_surrogates_are_field_errors(app: Flask) -> None:
    publish(app)
    client = client_of(app, user_in(app))
    thread = new_thread(client)
    for field in ("title", "raw_body", "topic_id"):
        body = {"course_id": COURSE, "topic_id": "course", "type": "discussion", "title": "T", "raw_body": "B"}
        text = json.dumps(body).replace(f'"{field}": "{body[field]}"', f'"{field}": "a{SURROGATE}b"')
        answer = _raw_json(client, "POST", THREADS, text)
        assert answer.status_code == 400, field
        assert field in answer.get_json()["field_errors"]
    answer = _raw_json(client, "POST", COMMENTS, f'{{"thread_id": "{thread["id"]}", "raw_body": "{SURROGATE}"}}')
    assert answer.status_code == 400 and "raw_body" in answer.get_json()["field_errors"]
    answer = _raw_json(client, "PATCH", f"{THREADS}{thread['id']}/", f'{{"title": "{SURROGATE}"}}', MERGE_PATCH)
    assert answer.status_code == 400 and "title" in answer.get_json()["field_errors"]
    answer = _raw_json(client, "PATCH", f"{THREADS}{thread['id']}/", f'{{"raw_body": "{SURROGATE}"}}', MERGE_PATCH)
    assert answer.status_code == 400 and "raw_body" in answer.get_json()["field_errors"]
    answer = _raw_json(client, "POST", f"/courses/{COURSE}/discussion/preview", f'{{"raw_body": "{SURROGATE}"}}')
    assert answer.status_code == 400
    answer = client.open(f"{THREADS}{thread['id']}/", method="DELETE", data=f'{{"reason": "{SURROGATE}"}}',
                         content_type="application/json")
    assert answer.status_code == 400 and "reason" in answer.get_json()["field_errors"]
    assert _count(app, Thread) == 1

    moderator = client_of(app, user_in(app, "discussion_moderator"))
    learner = user_in(app)
    answer = _raw_json(moderator, "POST", "/api/discussion/v1/moderation/ban-user/",
                       f'{{"username": "{learner.username}", "course_id": "{DEFAULT_COURSE}", '
                       f'"reason": "{SURROGATE}"}}')
    assert answer.status_code == 400
    answer = _raw_json(client, "PUT", "/api/notifications/v3/configurations/",
                       f'{{"notification_app": "discussion", "notification_type": "{SURROGATE}"}}')
    assert answer.status_code == 400
    service = client_of(app, user_in(app, "superuser", enrolled=False))
    answer = _raw_json(service, "POST", "/api/discussion/v1/accounts/replace_username",
                       f'{{"username_mappings": [{{"{learner.username}": "{SURROGATE}"}}]}}')
    assert answer.status_code == 400


def test_retire_forum_refuses_a_username_that_is_not_text(app: Flask) -> None:
    publish(app)
    service = client_of(app, user_in(app, "superuser", enrolled=False))
    answer = service.post("/api/discussion/v1/accounts/retire_forum/", json={"username": ["x"]})
    assert answer.status_code == 400


def test_the_last_edit_of_an_anonymous_post_does_not_name_its_author(app: Flask) -> None:
    publish(app)
    author = client_of(app, user_in(app))
    ta = client_of(app, user_in(app, "community_ta"))
    moderator_user = user_in(app, "discussion_moderator")
    moderator = client_of(app, moderator_user)
    learner_user = user_in(app)
    thread = new_thread(author, anonymous=True, raw_body="first")
    assert patch(author, f"{THREADS}{thread['id']}/", {"raw_body": "second"}).status_code == 200
    response = new_comment(author, new_thread(client_of(app, learner_user))["id"], anonymous=True)
    assert patch(author, f"{COMMENTS}{response['id']}/", {"raw_body": "edited"}).status_code == 200

    seen_by_ta = ta.get(f"{THREADS}{thread['id']}/").get_json()
    assert seen_by_ta["author"] is None
    assert seen_by_ta["last_edit"]["original_body"] == "first"
    assert seen_by_ta["last_edit"]["editor_username"] is None and seen_by_ta["edit_by_label"] is None
    seen_by_moderator = moderator.get(f"{THREADS}{thread['id']}/").get_json()
    assert seen_by_moderator["last_edit"]["editor_username"] == seen_by_moderator["author"] is not None
    comment_by_ta = ta.get(COMMENTS, query_string={"thread_id": response["thread_id"]}).get_json()["results"][0]
    assert comment_by_ta["author"] is None and comment_by_ta["last_edit"]["editor_username"] is None
    comment_by_moderator = moderator.get(COMMENTS, query_string={"thread_id": response["thread_id"]}).get_json()
    assert comment_by_moderator["results"][0]["last_edit"]["editor_username"] is not None

    # a moderator's edit of the anonymous post still names the moderator
    assert patch(moderator, f"{THREADS}{thread['id']}/", {"raw_body": "third"}).status_code == 200
    seen_by_ta = ta.get(f"{THREADS}{thread['id']}/").get_json()
    assert seen_by_ta["last_edit"]["editor_username"] == moderator_user.username
