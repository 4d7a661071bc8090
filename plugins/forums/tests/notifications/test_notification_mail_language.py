"""Notification and digest e-mails are written in the recipient's language and time zone (their ``pref-lang``
and ``time_zone`` preferences), not in those of the request that caused them nor always the site's.

Kampus ships no translation catalogue of the forums' strings yet, so the site is given real catalogues that
exist on the machine (WTForms', for other strings): the languages become available, and what the recipient's
locale changes without a catalogue of our strings is checked: the ``lang`` of the mail and its dates, written
by Babel's locale data in the recipient's zone."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
import wtforms
from babel.dates import format_datetime
from flask_babel import force_locale, get_locale
from kampus_forums.notifications import mailing
from kampus_forums.notifications.models import Notification
from kampus_forums.threads.models import Comment
from pytz import timezone

from kampus.drivers.mailer import message_html, message_text
from kampus.identity.models import User
from kampus.identity.preferences import LANGUAGE, TIME_ZONE, set_preference
from kampus.rendering.dates import available_locales

from .notify_kit import member, post, publish, thread_by
from .test_notification_digests import run, set_pref

WTFORMS_CATALOGUES = Path(wtforms.__file__).resolve().parent / "locale"


@pytest.fixture
def languages(app):
    """French and German made available with catalogues that exist (WTForms')."""
    assert (WTFORMS_CATALOGUES / "fr" / "LC_MESSAGES" / "wtforms.mo").is_file()
    app.extensions["babel"].translation_directories.append(str(WTFORMS_CATALOGUES))
    with app.app_context():
        assert {"fr", "de"} <= available_locales()
    return app


def prefer(app, user, language: str | None, zone: str | None = None) -> None:
    with app.app_context(), app.extensions["kampus"].db.session_scope() as session:
        set_preference(user.id, LANGUAGE, language, db_session=session)
        set_preference(user.id, TIME_ZONE, zone, db_session=session)


def posted_at(app, comment_id: int):
    with app.app_context(), app.extensions["kampus"].db.session_scope() as session:
        return session.get(Comment, comment_id).created_at


def test_a_digest_is_written_in_each_recipients_locale_and_zone(languages, mailbox) -> None:
    app = languages
    publish(app)
    helper = member(app, username="helper")
    french, plain = member(app), member(app)
    prefer(app, french, "fr", "Europe/Paris")
    for author in (french, plain):
        comment_id = post(app, helper, thread_by(app, author, title=f"Loops of {author.username}"), "Use range.")
    run(app)
    by_recipient = {message["To"]: message for message in mailbox}
    when = posted_at(app, comment_id)
    french_html = message_html(by_recipient[french.email])
    assert french_html.count('<html lang="fr">') == 1
    assert format_datetime(when, "short", tzinfo=timezone("Europe/Paris"), locale="fr") in french_html
    assert format_datetime(when, "short", tzinfo=timezone("Europe/Paris"), locale="fr") in message_text(
        by_recipient[french.email])
    plain_html = message_html(by_recipient[plain.email])  # no preference: the site's language and zone
    assert '<html lang="en">' in plain_html
    assert format_datetime(when, "short", tzinfo=timezone("UTC"), locale="en") in plain_html


def test_an_immediate_mail_takes_the_recipients_locale_not_the_senders(languages, mailbox) -> None:
    app = languages
    publish(app)
    author, responder = member(app), member(app, username="german_helper")
    prefer(app, author, "fr")
    prefer(app, responder, "de")
    set_pref(app, author, response_on_my_thread="immediately")
    post(app, responder, thread_by(app, author, title="Recursion"), "Raise the limit.")
    (message,) = mailbox
    assert '<html lang="fr">' in message_html(message)
    with app.app_context(), app.extensions["kampus"].db.session_scope() as session:
        row = session.scalar(sa.select(Notification).where(Notification.user_id == author.id))
        recipient = session.get(User, author.id)
        # built inside a request that renders in German: the mail is French, and the request stays German
        with app.test_request_context("/"), force_locale("de"):
            rebuilt = mailing.immediate_message(recipient, row)
            assert str(get_locale()) == "de"
    assert '<html lang="fr">' in message_html(rebuilt)


def test_a_language_the_site_lacks_falls_back_to_the_sites(app, mailbox) -> None:
    publish(app)
    author, responder = member(app), member(app)
    prefer(app, author, "fr")  # no French catalogue on this site
    set_pref(app, author, response_on_my_thread="immediately")
    post(app, responder, thread_by(app, author), "An answer")
    (message,) = mailbox
    assert '<html lang="en">' in message_html(message)
