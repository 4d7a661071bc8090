"""Notifications name a post's author by the REST API's rule (``author_visible``): an ``anonymous`` post's
author is shown to moderators only, an ``anonymous_to_peers`` post's to privileged users only."""

from __future__ import annotations

from kampus_forums.threads.models import Comment
from kampus_lms import api as lms

from .notify_kit import COURSE, event, member, notifications, post, publish, thread_by


def test_an_anonymous_response_hides_its_author_from_community_tas(app) -> None:
    publish(app)
    author, ta, staff, responder = member(app), member(app, "community_ta"), member(app, "staff"), member(app)
    thread_id = thread_by(app, author, followers=[ta, staff])
    post(app, responder, thread_id, "Secret helper", anonymous=True)
    seen = {user_id: (data["author"], data["anonymous"]) for user_id, _k, _t, _c, data in notifications(app)}
    assert seen[ta.id] == ("", True)
    assert seen[staff.id] == (responder.username, False)
    assert seen[author.id] == ("", True)


def test_an_anonymous_to_peers_response_shows_its_author_to_privileged_users_only(app) -> None:
    publish(app)
    author, ta, learner, responder = member(app), member(app, "community_ta"), member(app), member(app)
    thread_id = thread_by(app, author, followers=[ta, learner])
    with app.app_context(), app.extensions["kampus"].db.session_scope() as session:
        comment = Comment(thread_id=thread_id, course_id=COURSE, body="Peer-anonymous", author_id=responder.id,
                          author_username=responder.username, anonymous_to_peers=True)
        session.add(comment)
        session.flush()
        comment_id = int(comment.id)
    event(app, "edx.forum.response.created", {"id": comment_id, "discussion": {"id": thread_id},
                                              "commentable_id": "course"}, responder)
    seen = {user_id: data["author"] for user_id, _k, _t, _c, data in notifications(app)}
    assert seen[ta.id] == responder.username
    assert seen[learner.id] == "" and seen[author.id] == ""


def test_a_report_of_an_anonymous_thread_hides_its_author_from_group_moderators(app) -> None:
    publish(app)
    with app.app_context():
        lms.set_cohorted(COURSE, True)
        red = lms.create_cohort(COURSE, "Red")
    author, reporter = member(app), member(app)
    group_moderator, moderator = member(app, "group_moderator"), member(app, "discussion_moderator")
    with app.app_context():
        lms.add_users_to_cohort(COURSE, red.id, [author.username, reporter.username, group_moderator.username])
    thread_id = thread_by(app, author, group_id=red.id, anonymous=True)
    event(app, "edx.forum.thread.reported", {"id": thread_id, "commentable_id": "course"}, reporter)
    seen = {user_id: (kind, data["author"]) for user_id, kind, _t, _c, data in notifications(app)}
    assert seen[group_moderator.id] == ("content_reported", "")
    assert seen[moderator.id] == ("content_reported", author.username)
