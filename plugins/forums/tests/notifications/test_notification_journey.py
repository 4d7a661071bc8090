"""The whole journey through the discussion REST API: a question, an answer, a comment, an endorsement and a
report make the right notifications, the bell counts them and the daily digest lists the answer (not the
reported comment)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kampus_forums.notifications import digests

from kampus.drivers.mailer import message_text

from ..posts.posts_kit import client_of, new_comment, new_thread, patch, publish, user_in


def test_posting_through_the_api_notifies_and_the_daily_digest_lists_the_answer(app, mailbox) -> None:
    publish(app)
    author, helper, follower, staff = user_in(app), user_in(app), user_in(app), user_in(app, "staff")
    a, h, f, s = (client_of(app, user) for user in (author, helper, follower, staff))
    thread = new_thread(a, type="question", title="Why does my loop never end?", raw_body="while True: ...")
    assert patch(f, f"/api/discussion/v1/threads/{thread['id']}/", {"following": True}).status_code == 200
    answer = new_comment(h, thread["id"], raw_body="Add a break when the condition is met.")
    thanks = new_comment(a, thread["id"], parent_id=answer["id"], raw_body="Thanks, that works!")
    assert patch(s, f"/api/discussion/v1/comments/{answer['id']}/", {"endorsed": True}).status_code == 200
    assert patch(f, f"/api/discussion/v1/comments/{thanks['id']}/", {"abuse_flagged": True}).status_code == 200

    def kinds(client):
        return sorted(item["kind"] for item in client.get("/api/notifications/").get_json()["results"])

    assert kinds(a) == ["response_on_my_thread"]
    assert kinds(h) == ["comment_on_my_response", "endorsement"]
    assert kinds(f) == ["followed_thread_post", "followed_thread_post"]
    assert kinds(s) == ["content_reported"]
    assert a.get("/api/notifications/count/").get_json()["count"] == 1
    # reported content reaches the moderators at once; everything else waits for the digest
    assert [message["To"] for message in mailbox] == [staff.email]

    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    with app.app_context():
        digests.plan("daily", today + timedelta(days=1, hours=6))
    to_author = [message for message in mailbox if message["To"] == author.email]
    assert len(to_author) == 1
    text = message_text(to_author[0])
    assert "Add a break when the condition is met." in text and "Why does my loop never end?" in text
    assert sorted(message["To"] for message in mailbox) == sorted([staff.email, author.email, helper.email,
                                                                   follower.email])
    # as Open edX's digests: the reported comment is in nobody's digest
    for message in mailbox:
        if message["To"] != staff.email:
            assert "Thanks, that works!" not in message_text(message)


def test_undoing_a_post_withdraws_its_notifications(app, mailbox) -> None:
    publish(app)
    author, helper, reporter, staff = user_in(app), user_in(app), user_in(app), user_in(app, "staff")
    a, h, r, s = (client_of(app, user) for user in (author, helper, reporter, staff))
    thread = new_thread(a, title="Withdrawn things")
    answer = new_comment(h, thread["id"], raw_body="First answer")
    second = new_comment(h, thread["id"], raw_body="Second answer")
    new_comment(a, thread["id"], parent_id=answer["id"], raw_body="A comment on the first")

    def count(client):
        return client.get("/api/notifications/count/").get_json()["count"]

    assert (count(a), count(h)) == (2, 1)
    assert patch(s, f"/api/discussion/v1/comments/{second['id']}/", {"endorsed": True}).status_code == 200
    assert count(h) == 2
    assert patch(s, f"/api/discussion/v1/comments/{second['id']}/", {"endorsed": False}).status_code == 200
    assert count(h) == 1  # the endorsement was withdrawn
    assert patch(r, f"/api/discussion/v1/comments/{second['id']}/", {"abuse_flagged": True}).status_code == 200
    assert count(s) == 1
    assert patch(r, f"/api/discussion/v1/comments/{second['id']}/", {"abuse_flagged": False}).status_code == 200
    assert count(s) == 0  # no report left
    assert h.delete(f"/api/discussion/v1/comments/{answer['id']}/").status_code == 204
    assert (count(a), count(h)) == (1, 0)  # the response and the comment on it are gone
    assert a.delete(f"/api/discussion/v1/threads/{thread['id']}/").status_code == 204
    assert count(a) == 0
