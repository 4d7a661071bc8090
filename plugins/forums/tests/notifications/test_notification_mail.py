"""Immediate e-mail (at most once per notification) and the one-click unsubscribe link."""

from __future__ import annotations

import sqlalchemy as sa
from kampus_forums.notifications import digests, preferences
from kampus_forums.notifications.models import Notification

from kampus.drivers.mailer import MailError, message_text

from .notify_kit import member, post, publish, thread_by


def set_pref(app, user, **changes) -> None:
    with app.app_context(), app.extensions["kampus"].db.session_scope() as session:
        preferences.set_cadences(session, user.id, changes)


def prefs(app, user) -> dict[str, str]:
    with app.app_context(), app.extensions["kampus"].db.session_scope() as session:
        return preferences.preferences_of(session, user.id)


def notification_ids(app, user) -> list[int]:
    with app.app_context(), app.extensions["kampus"].db.session_scope() as session:
        return list(session.scalars(sa.select(Notification.id).where(Notification.user_id == user.id)))


def test_an_immediate_preference_mails_the_notification_once(app, mailbox) -> None:
    publish(app)
    author, responder = member(app), member(app, username="quick_helper")
    set_pref(app, author, response_on_my_thread="immediately")
    thread_id = thread_by(app, author, title="Recursion depth")
    post(app, responder, thread_id, "Raise the recursion limit carefully.")
    (message,) = mailbox
    assert message["To"] == author.email
    assert message["Subject"] == 'quick_helper responded to your post "Recursion depth"'
    text = message_text(message)
    assert "Raise the recursion limit carefully." in text and "/discussion/forum/course/threads/" in text
    assert message["List-Unsubscribe"].strip("<>") in text
    assert message["Message-ID"].startswith("<kampus-forums-n-")
    ids = notification_ids(app, author)
    with app.app_context():  # the task delivered again (a worker died after sending): nothing more
        assert digests.send_immediate(ids) == {"sent": 0, "skipped": 1, "failed": 0}
    assert len(mailbox) == 1


def test_a_failed_immediate_mail_is_released_and_can_be_sent_again(app, mailbox, monkeypatch) -> None:
    publish(app)
    author, responder = member(app), member(app)
    set_pref(app, author, response_on_my_thread="immediately")
    mailer = app.extensions["kampus"].mailer
    real = mailer.deliver

    def broken(message):
        raise MailError("connection refused")

    monkeypatch.setattr(mailer, "deliver", broken)
    post(app, responder, thread_by(app, author), "An answer")
    assert mailbox == []
    ids = notification_ids(app, author)
    with app.app_context(), app.extensions["kampus"].db.session_scope() as session:
        assert session.get(Notification, ids[0]).emailed_at is None
    monkeypatch.setattr(mailer, "deliver", real)
    with app.app_context():
        assert digests.send_immediate(ids)["sent"] == 1
    assert len(mailbox) == 1


def test_preferences_default_and_change(app) -> None:
    publish(app)
    user = member(app)
    assert prefs(app, user) == {"response_on_my_thread": "daily", "comment_on_my_response": "daily",
                                "endorsement": "daily", "followed_thread_post": "daily",
                                "content_reported": "immediately"}
    set_pref(app, user, endorsement="weekly")
    set_pref(app, user, endorsement="off", followed_thread_post="immediately")
    assert prefs(app, user)["endorsement"] == "off" and prefs(app, user)["followed_thread_post"] == "immediately"
    with app.app_context():
        for bad in ({"nope": "daily"}, {"endorsement": "hourly"}):
            try:
                preferences.check_changes(bad)
            except preferences.PreferenceError:
                pass
            else:
                raise AssertionError(f"{bad} was accepted")


def test_the_unsubscribe_link_asks_then_turns_the_kind_off_in_one_click(app, client) -> None:
    publish(app)
    user = member(app)
    with app.test_request_context():
        url = preferences.unsubscribe_url(user.id, ["response_on_my_thread"])
        everything = preferences.unsubscribe_url(user.id)
    path = url.removeprefix("http://localhost")
    page = client.get(path)
    assert page.status_code == 200 and b"unsubscribe-confirm" in page.data and b"Responses to my posts" in page.data
    assert prefs(app, user)["response_on_my_thread"] == "daily"  # a GET (a mail scanner) changes nothing
    done = client.post(path, csrf=False)
    assert done.status_code == 200 and b"unsubscribe-done" in done.data
    assert prefs(app, user)["response_on_my_thread"] == "off" and prefs(app, user)["endorsement"] == "daily"
    one_click = client.post(everything.removeprefix("http://localhost"), data={"List-Unsubscribe": "One-Click"},
                            csrf=False)
    assert one_click.status_code == 200 and one_click.mimetype == "text/plain"
    assert set(prefs(app, user).values()) == {"off"}


def test_a_forged_unsubscribe_link_is_refused(app, client) -> None:
    publish(app)
    user = member(app)
    with app.test_request_context():
        token = preferences.unsubscribe_token(user.id)
    assert client.get(f"/notifications/unsubscribe/{token}x").status_code == 404
    assert client.post(f"/notifications/unsubscribe/{token[:-3]}abc", csrf=False).status_code == 404
    assert prefs(app, user)["content_reported"] == "immediately"
