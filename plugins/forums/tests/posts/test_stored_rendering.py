"""A post's body is rendered once, when saved, and served as stored; bodies too complex to render, and
previews beyond the rate limit, are refused."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from flask import Flask
from kampus_forums.threads.bodies import MAX_MARKUP_PER_BLOCK, TOO_COMPLEX
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

PREVIEW = f"/courses/{COURSE}/discussion/preview"


def _stored(app: Flask, model: type, post_id: str) -> str | None:
    with app.app_context():
        return db.session().get(model, int(post_id)).rendered_body


def _store(app: Flask, model: type, post_id: str, html: str) -> None:
    with app.app_context():
        session = db.session()
        session.execute(sa.update(model).where(model.id == int(post_id)).values(rendered_body=html))
        session.commit()


def test_bodies_are_rendered_on_save_and_served_as_stored(app: Flask) -> None:
    publish(app)
    client = client_of(app, user_in(app))
    thread = new_thread(client, raw_body="Hello **world**")
    assert _stored(app, Thread, thread["id"]).startswith("<p>Hello <strong>world</strong>")
    response = new_comment(client, thread["id"], raw_body="An *answer*")
    assert _stored(app, Comment, response["id"]).startswith("<p>An <em>answer</em>")

    # the list, the detail and the comments serve what is stored: nothing is rendered when read
    _store(app, Thread, thread["id"], "<p>stored thread</p>")
    _store(app, Comment, response["id"], "<p>stored response</p>")
    listed = client.get(THREADS, query_string={"course_id": COURSE}).get_json()["results"][0]
    assert listed["rendered_body"] == "<p>stored thread</p>" and listed["preview_body"] == "stored thread"
    assert client.get(f"{THREADS}{thread['id']}/").get_json()["rendered_body"] == "<p>stored thread</p>"
    comments = client.get(f"{COMMENTS}?thread_id={thread['id']}").get_json()["results"]
    assert comments[0]["rendered_body"] == "<p>stored response</p>"

    # an edit renders again
    edited = patch(client, f"{THREADS}{thread['id']}/", {"raw_body": "Now *edited*"})
    assert edited.status_code == 200 and edited.get_json()["rendered_body"].startswith("<p>Now <em>edited</em>")
    assert _stored(app, Thread, thread["id"]).startswith("<p>Now <em>edited</em>")
    edited = patch(client, f"{COMMENTS}{response['id']}/", {"raw_body": "Also `code`"})
    assert edited.get_json()["rendered_body"].startswith("<p>Also <code>code</code>")
    assert _stored(app, Comment, response["id"]).startswith("<p>Also <code>code</code>")


def test_rows_without_stored_html_are_rendered_when_shown(app: Flask) -> None:
    publish(app)
    client = client_of(app, user_in(app))
    thread = new_thread(client, raw_body="Plain *text*")
    with app.app_context():
        session = db.session()
        session.execute(sa.update(Thread).values(rendered_body=None))
        session.commit()
    listed = client.get(THREADS, query_string={"course_id": COURSE}).get_json()["results"][0]
    assert listed["id"] == thread["id"] and listed["rendered_body"].startswith("<p>Plain <em>text</em>")


@pytest.mark.parametrize("body", ["\\(" * 50_000, ("[" * (MAX_MARKUP_PER_BLOCK + 1)), ("![a" * 11_000),
                                  "a\n" * 40_000])
def test_bodies_too_complex_to_render_are_refused_quickly(app: Flask, body: str) -> None:
    publish(app)
    client = client_of(app, user_in(app))
    started = time.monotonic()
    answer = post_thread(client, raw_body=body)
    assert answer.status_code == 400
    assert answer.get_json()["field_errors"]["raw_body"]["developer_message"] == TOO_COMPLEX
    thread = new_thread(client)
    answer = client.post(COMMENTS, json={"thread_id": thread["id"], "raw_body": body})
    assert answer.status_code == 400 and "raw_body" in answer.get_json()["field_errors"]
    answer = patch(client, f"{THREADS}{thread['id']}/", {"raw_body": body})
    assert answer.status_code == 400 and "raw_body" in answer.get_json()["field_errors"]
    answer = client.post(PREVIEW, json={"raw_body": body})
    assert answer.status_code == 400 and answer.get_json()["developer_message"] == TOO_COMPLEX
    assert time.monotonic() - started < 5
    with app.app_context():
        assert db.session().scalar(sa.select(sa.func.count()).select_from(Thread)) == 1


def test_long_ordinary_bodies_are_still_accepted(app: Flask) -> None:
    publish(app)
    client = client_of(app, user_in(app))
    prose = "\n\n".join(["Some *words*, a [link](https://example.org) and $x_1$ here. " * 40] * 30)
    assert len(prose) < 100_000
    made = new_thread(client, raw_body=prose)
    assert made["rendered_body"].count("<em>words</em>") == 1200


def test_preview_is_rate_limited(make_app) -> None:
    app = make_app(["content", "problems", "lms", "forums"],
                   {"forums_preview_rate_limit": 2, "forums_preview_rate_window": 3600})
    publish(app)
    client = client_of(app, user_in(app))
    for _ in range(2):
        answer = client.post(PREVIEW, json={"raw_body": "*hi*"})
        assert answer.status_code == 200 and answer.get_json()["rendered_body"].startswith("<p><em>hi</em>")
    answer = client.post(PREVIEW, json={"raw_body": "*hi*"})
    assert answer.status_code == 429 and int(answer.headers["Retry-After"]) >= 1
    other = client_of(app, user_in(app))
    assert other.post(PREVIEW, json={"raw_body": "*hi*"}).status_code == 200
