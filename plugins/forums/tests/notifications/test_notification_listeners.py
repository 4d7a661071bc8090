"""The forums' events make the right in-app notifications, for the right people, once."""

from __future__ import annotations

from kampus_forums.notifications import service
from kampus_lms import api as lms

from .notify_kit import COURSE, endorse, event, follow, member, notifications, post, publish, thread_by


def test_a_response_tells_the_thread_author_and_the_followers_but_never_the_actor(app) -> None:
    publish(app)
    author, responder, follower, both = (member(app) for _ in range(4))
    thread_id = thread_by(app, author, followers=[author, follower, responder])
    follow(app, both, thread_id)
    response_id = post(app, responder, thread_id, "Use a for loop over the range.")
    got = {(user_id, kind) for user_id, kind, *_rest in notifications(app)}
    assert got == {(author.id, "response_on_my_thread"), (follower.id, "followed_thread_post"),
                   (both.id, "followed_thread_post")}
    (_uid, _kind, tid, cid, data), = notifications(app, author)
    assert (tid, cid) == (thread_id, response_id)
    assert data["thread_title"] == "How do loops work?" and data["author"] == responder.username
    assert data["preview"] == "Use a for loop over the range." and data["content_type"] == "response"
    assert data["thread_url"] == f"/courses/{COURSE}/discussion/forum/course/threads/{thread_id}"


def test_a_comment_tells_the_response_author_and_followers_once_each(app) -> None:
    publish(app)
    author, responder, commenter = member(app), member(app), member(app)
    thread_id = thread_by(app, author, followers=[author, responder])
    response_id = post(app, responder, thread_id, "An answer", emit=False)
    post(app, commenter, thread_id, "Thanks!", parent_id=response_id)
    got = sorted((user_id, kind) for user_id, kind, *_rest in notifications(app))
    assert got == sorted([(responder.id, "comment_on_my_response"), (author.id, "followed_thread_post")])
    assert notifications(app, responder)[0][4]["content_type"] == "comment"


def test_an_endorsement_tells_the_response_author_once_while_unread(app) -> None:
    publish(app)
    author, responder, ta = member(app), member(app), member(app, "community_ta")
    thread_id = thread_by(app, author)
    response_id = post(app, responder, thread_id, "The answer", emit=False)
    endorse(app, ta, response_id, thread_id)
    endorse(app, ta, response_id, thread_id)
    assert [(kind, data["author"]) for _u, kind, _t, _c, data in notifications(app)] == [
        ("endorsement", ta.username)]
    own = post(app, ta, thread_id, "My own answer", emit=False)
    endorse(app, ta, own, thread_id)  # endorsing one's own response tells nobody
    assert len(notifications(app)) == 1


def test_a_follower_who_can_no_longer_see_the_thread_gets_nothing(app) -> None:
    publish(app)
    with app.app_context():
        lms.set_cohorted(COURSE, True)
        red = lms.create_cohort(COURSE, "Red")
        blue = lms.create_cohort(COURSE, "Blue")
    author, in_red, in_blue, left, staff = *(member(app) for _ in range(4)), member(app, "staff")
    with app.app_context():
        lms.add_users_to_cohort(COURSE, red.id, [author.username, in_red.username])
        lms.add_users_to_cohort(COURSE, blue.id, [in_blue.username])
        lms.unenroll(left, COURSE)
    thread_id = thread_by(app, author, group_id=red.id, followers=[in_red, in_blue, left, staff])
    post(app, author, thread_id, "Bump")
    assert sorted(user_id for user_id, *_rest in notifications(app)) == sorted([in_red.id, staff.id])


def test_anonymous_posts_do_not_reveal_their_author_to_learners(app) -> None:
    publish(app)
    author, learner, staff, responder = member(app), member(app), member(app, "staff"), member(app)
    thread_id = thread_by(app, author, followers=[learner, staff])
    post(app, responder, thread_id, "Secret helper", anonymous=True)
    mine = notifications(app, author)[0][4]
    assert mine["author"] == "" and mine["anonymous"] is True
    assert notifications(app, learner)[0][4]["author"] == ""
    assert notifications(app, staff)[0][4]["author"] == responder.username
    with app.test_request_context():
        assert service.describe("response_on_my_thread", mine).startswith("Anonymous responded")


def test_a_report_tells_the_course_moderators_but_not_the_reporter_or_learners(app, mailbox) -> None:
    publish(app)
    author, reporter, learner = member(app), member(app), member(app)
    staff, moderator, reporting_staff = member(app, "staff"), member(app, "discussion_moderator"), member(app, "staff")
    thread_id = thread_by(app, author, followers=[learner])
    response_id = post(app, author, thread_id, "Spam spam spam", emit=False)
    data = {"id": response_id, "commentable_id": "course", "content_type": "Response", "body": "Spam"}
    event(app, "edx.forum.response.reported", data, reporter)
    event(app, "edx.forum.response.reported", data, reporting_staff)  # a second report while unread: no new one
    got = sorted((user_id, kind, comment_id) for user_id, kind, _t, comment_id, _d in notifications(app))
    assert got == sorted([(staff.id, "content_reported", response_id), (moderator.id, "content_reported", response_id),
                          (reporting_staff.id, "content_reported", response_id)])
    assert notifications(app, staff)[0][4]["content_type"] == "response"
    with app.test_request_context():
        assert service.describe("content_reported", notifications(app, staff)[0][4]) == (
            'A response in "How do loops work?" was reported')
    # reported content goes out at once by default: one e-mail per moderator
    assert sorted(message["To"] for message in mailbox) == sorted(
        [staff.email, moderator.email, reporting_staff.email])


def test_a_thread_with_many_followers_is_told_in_chunks_in_one_go(app, monkeypatch) -> None:
    publish(app)
    monkeypatch.setattr(service, "INSERT_CHUNK", 7)
    author, responder = member(app), member(app)
    followers = [member(app) for _ in range(20)]
    thread_id = thread_by(app, author, followers=followers)
    post(app, responder, thread_id, "Hello all")
    got = sorted(user_id for user_id, kind, *_rest in notifications(app) if kind == "followed_thread_post")
    assert got == sorted(user.id for user in followers)


def test_other_events_and_broken_ones_make_nothing(app) -> None:
    publish(app)
    author = member(app)
    thread_id = thread_by(app, author)
    event(app, "edx.forum.thread.voted", {"id": thread_id}, author)
    event(app, "edx.forum.response.created", {"id": 987654}, author)
    event(app, "edx.forum.response.created", {"id": "not a number"}, author)
    assert notifications(app) == []


def test_a_retired_author_leaves_the_notifications(app) -> None:
    publish(app)
    author, helper, staff, other = member(app), member(app), member(app, "staff"), member(app)
    thread_id = thread_by(app, author, title="Question", followers=[other])
    response_id = post(app, helper, thread_id, "Help text")
    event(app, "edx.forum.response.reported", {"id": response_id}, author)
    assert [kind for _u, kind, *_rest in notifications(app, staff)] == ["content_reported"]
    with app.app_context(), app.extensions["kampus"].db.session_scope() as session:
        assert service.retire_author(session, helper.id, helper.username, "retired__user_x") == 3
    assert {(data["author"], data["preview"], data["thread_title"]) for *_rest, data in notifications(app)} == {
        ("retired__user_x", "[deleted]", "Question")}
    with app.app_context(), app.extensions["kampus"].db.session_scope() as session:
        assert service.retire_author(session, author.id, author.username, "retired__user_y") == 3
    assert {data["thread_title"] for *_rest, data in notifications(app)} == {"[deleted]"}
