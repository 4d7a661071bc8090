"""Open edX's content-creation rate limit: a learner posts at most ``forums_post_rate_limit`` threads,
responses and comments per window; the course team and forum roles are not limited; 429 beyond, with
``Retry-After``, and nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from kampus_forums.threads.models import Comment, Thread

from kampus import db
from kampus.db import utcnow
from kampus.identity.models import User

from .posts_kit import COMMENTS, client_of, new_thread, post_thread, publish, user_in


@pytest.fixture
def app(make_app, kampus_plugins):
    return make_app(plugins=kampus_plugins, settings={"forums_post_rate_limit": 3, "forums_post_rate_window": 3600})


def count(app: Flask, model: type) -> int:
    with app.app_context():
        return int(db.session().scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def test_a_learner_over_the_rate_gets_429_and_nothing_is_written(app: Flask) -> None:
    publish(app)
    learner = client_of(app, user_in(app))
    thread = new_thread(learner, title="One")
    assert learner.post(COMMENTS, json={"thread_id": thread["id"], "raw_body": "Two"}).status_code == 200
    new_thread(learner, title="Three")
    threads, comments = count(app, Thread), count(app, Comment)

    refused = post_thread(learner, title="Four")
    assert refused.status_code == 429
    assert refused.get_json()["developer_message"] == "Too many requests"
    assert int(refused.headers["Retry-After"]) >= 1
    again = learner.post(COMMENTS, json={"thread_id": thread["id"], "raw_body": "Five"})
    assert again.status_code == 429
    assert (count(app, Thread), count(app, Comment)) == (threads, comments)

    # a refused form (a missing title) does not use up the allowance of another learner, nor of this one
    other = client_of(app, user_in(app))
    assert post_thread(other, title="").status_code == 400
    for title in ("A", "B", "C"):
        new_thread(other, title=title)
    assert post_thread(other, title="D").status_code == 429


@pytest.mark.parametrize("role", ["staff", "discussion_moderator", "community_ta"])
def test_the_course_team_and_forum_roles_are_not_limited(app: Flask, role: str) -> None:
    publish(app)
    member = client_of(app, user_in(app, role))
    for number in range(5):
        new_thread(member, title=f"Announcement {number}")


def test_only_young_accounts_are_limited_when_account_days_are_set(make_app, kampus_plugins) -> None:
    app = make_app(plugins=kampus_plugins, settings={"forums_post_rate_limit": 1, "forums_post_rate_window": 3600,
                                                     "forums_post_rate_limit_account_days": 7})
    publish(app)
    veteran, newcomer = user_in(app), user_in(app)
    with app.app_context(), app.extensions["kampus"].db.session_scope() as session:
        session.get(User, veteran.id).date_joined = utcnow() - timedelta(days=30)
    old, new = client_of(app, veteran), client_of(app, newcomer)
    for title in ("First", "Second"):
        new_thread(old, title=title)
    new_thread(new, title="First")
    assert post_thread(new, title="Second").status_code == 429


def test_a_double_submit_and_a_refused_comment_use_up_nothing(app: Flask) -> None:
    publish(app)
    learner = client_of(app, user_in(app))
    first = new_thread(learner, title="One")
    assert new_thread(learner, title="One")["id"] == first["id"]  # the same post again: no new post
    bad_parent = learner.post(COMMENTS, json={"thread_id": first["id"], "raw_body": "x", "parent_id": "999999"})
    assert bad_parent.status_code == 400
    for title in ("Two", "Three"):
        new_thread(learner, title=title)
    assert post_thread(learner, title="Four").status_code == 429
