"""Retirement and renaming reach everything that names a user: the search index forgets a retired
user's text, the moderation log shows the retired or new name of its moderators, and the notifications
show an author's new name."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask
from kampus_forums.moderation.models import AuditEntry
from kampus_forums.notifications.models import Notification
from kampus_forums.rest.accounts import retired_username

from kampus import db

from .posts_kit import COURSE, THREADS, client_of, new_comment, new_thread, patch, publish, user_in

ACCOUNTS = "/api/discussion/v1/accounts"


def _found(client: Any, text: str) -> list[str]:
    answer = client.get(THREADS, query_string={"course_id": COURSE, "text_search": text})
    assert answer.status_code == 200, answer.get_json()
    return [thread["id"] for thread in answer.get_json()["results"]]


def _moderators(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session().scalars(sa.select(AuditEntry.moderator_username).order_by(AuditEntry.id)))


def _authors_named(app: Flask, user_id: int) -> list[str]:
    with app.app_context():
        return [row.data.get("author") for row in db.session().scalars(
            sa.select(Notification).where(Notification.user_id == user_id))]


def test_retirement_reaches_the_search_index_and_the_moderation_log(app: Flask) -> None:
    publish(app)
    alice, moderator = user_in(app), user_in(app, "discussion_moderator")
    alice_client, moderator_client = client_of(app, alice), client_of(app, moderator)
    service = client_of(app, user_in(app, "superuser", enrolled=False))
    thread = new_thread(alice_client, title="About zebracorns", raw_body="Zebracorns graze quietly")
    assert _found(alice_client, "zebracorns") == [thread["id"]]
    assert patch(moderator_client, f"{THREADS}{thread['id']}/", {"pinned": True}).status_code == 200
    assert _moderators(app) == [moderator.username]

    assert service.post(f"{ACCOUNTS}/retire_forum/", json={"username": alice.username}).status_code == 204
    assert _found(alice_client, "zebracorns") == []
    assert _found(alice_client, "graze") == []

    assert service.post(f"{ACCOUNTS}/retire_forum/", json={"username": moderator.username}).status_code == 204
    with app.app_context():
        retired = retired_username(moderator.username)
    assert _moderators(app) == [retired]


def test_a_new_username_reaches_the_moderation_log_and_the_notifications(app: Flask) -> None:
    publish(app)
    alice, bob, moderator = user_in(app), user_in(app), user_in(app, "discussion_moderator")
    thread = new_thread(client_of(app, alice))
    new_comment(client_of(app, bob), thread["id"])
    assert _authors_named(app, alice.id) == [bob.username]
    assert patch(client_of(app, moderator), f"{THREADS}{thread['id']}/", {"closed": True}).status_code == 200
    service = client_of(app, user_in(app, "superuser", enrolled=False))
    mappings = [{bob.username: "bob_renamed"}, {moderator.username: "moderator_renamed"}]
    answer = service.post(f"{ACCOUNTS}/replace_username", json={"username_mappings": mappings})
    assert answer.status_code == 200 and answer.get_json()["failed_replacements"] == []
    assert _authors_named(app, alice.id) == ["bob_renamed"]
    assert _moderators(app) == ["moderator_renamed"]
