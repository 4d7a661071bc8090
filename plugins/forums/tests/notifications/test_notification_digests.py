"""Daily and weekly digests: what they list, and at most one per user and period, even when a batch runs again
or fails half-way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from kampus_forums.notifications import digests, preferences
from kampus_forums.notifications.models import DigestSent, Notification

from kampus.drivers.mailer import MailError, message_html, message_text

from .notify_kit import member, post, publish, thread_by


def tomorrow_morning() -> datetime:
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=1, hours=6)


def run(app, cadence: str = "daily", now: datetime | None = None, **options) -> dict:
    with app.app_context():
        return digests.plan(cadence, now or tomorrow_morning(), **options)


def claims(app) -> list[tuple[int, str, str, int]]:
    with app.app_context(), app.extensions["kampus"].db.session_scope() as session:
        return [(row.user_id, row.cadence, row.status, row.notification_count)
                for row in session.scalars(sa.select(DigestSent).order_by(DigestSent.user_id))]


def answered_threads(app, count: int = 1) -> tuple[list, object]:
    """``count`` authors, each with a question that ``responder`` answered today."""
    publish(app)
    responder = member(app, username="helper")
    authors = []
    for number in range(count):
        author = member(app)
        thread_id = thread_by(app, author, title=f"Loops question {number}")
        post(app, responder, thread_id, f"Use range(10), answer number {number}.")
        authors.append(author)
    return authors, responder


def set_pref(app, user, **changes) -> None:
    with app.app_context(), app.extensions["kampus"].db.session_scope() as session:
        preferences.set_cadences(session, user.id, changes)


def test_the_daily_digest_lists_the_answer_grouped_by_course_and_thread(app, mailbox) -> None:
    (author,), _responder = answered_threads(app)
    assert mailbox == []  # responses are daily by default: nothing at once
    report = run(app)
    assert report["periods"][-1]["users"] == 1 and report["periods"][-1]["batches"] == 1
    (message,) = mailbox
    assert message["To"] == author.email and "daily" in message["Subject"]
    text, html = message_text(message), message_html(message)
    assert "Use range(10), answer number 0." in text and "Loops question 0" in text
    assert "helper responded to your post" in text and "Test course" in text
    assert "Use range(10), answer number 0." in html and "/discussion/forum/course/threads/" in html
    unsubscribe = message["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith("http://localhost/notifications/unsubscribe/") and unsubscribe in text
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"List-Unsubscribe: <{unsubscribe}>".encode() in message.as_bytes()  # one line, not encoded words
    assert claims(app) == [(author.id, "daily", "sent", 1)]


def test_a_period_is_sent_once_however_often_it_runs(app, mailbox) -> None:
    authors, _responder = answered_threads(app, 3)
    run(app)
    run(app)  # the periodic task ran twice (two workers, a late worker)
    start, end = digests.last_period("daily", tomorrow_morning())
    with app.app_context():  # a batch task redelivered after its worker died: every user is claimed
        again = digests.send_batch("daily", start.isoformat(), end.isoformat(), [a.id for a in authors])
    assert again == {"sent": 0, "empty": 0, "skipped": 3, "failed": 0}
    assert sorted(message["To"] for message in mailbox) == sorted(author.email for author in authors)


def test_batches_split_the_users(app, mailbox) -> None:
    app.extensions["kampus"].settings.forums_digest_batch_size = 2
    authors, _responder = answered_threads(app, 5)
    report = run(app)
    assert report["periods"][-1]["batches"] == 3
    assert len(mailbox) == 5


def test_a_transient_failure_releases_the_claim_so_the_next_run_sends(app, mailbox, monkeypatch) -> None:
    authors, _responder = answered_threads(app, 3)
    mailer = app.extensions["kampus"].mailer
    real = mailer.deliver
    failing = {authors[1].email}

    def deliver(message):
        if message["To"] in failing:
            raise MailError("421 try again later")
        real(message)

    monkeypatch.setattr(mailer, "deliver", deliver)
    start, end = digests.last_period("daily", tomorrow_morning())
    with app.app_context():
        counts = digests.send_batch("daily", start.isoformat(), end.isoformat(), [a.id for a in authors])
    assert counts == {"sent": 2, "empty": 0, "skipped": 0, "failed": 1}
    assert [status for uid, _c, status, _n in claims(app)] == ["sent", "sent"]
    failing.clear()
    run(app)
    assert sorted(message["To"] for message in mailbox) == sorted(author.email for author in authors)
    assert [status for uid, _c, status, _n in claims(app)] == ["sent"] * 3


def test_a_worker_dying_mid_send_never_sends_twice(app, mailbox, monkeypatch) -> None:
    authors, _responder = answered_threads(app, 3)
    kampus = app.extensions["kampus"]
    real = kampus.mailer.deliver
    dies_after = {authors[0].email}  # delivered, then the worker died before recording it
    dies_before = {authors[1].email}  # died before the message left

    def deliver(message):
        if message["To"] in dies_before:
            raise SystemExit("worker lost")
        real(message)
        if message["To"] in dies_after:
            raise SystemExit("worker lost")

    monkeypatch.setattr(kampus.mailer, "deliver", deliver)
    start, end = digests.last_period("daily", tomorrow_morning())
    ids = [a.id for a in authors]
    for _attempt in range(2):
        with app.app_context(), pytest.raises(SystemExit):
            digests.send_batch("daily", start.isoformat(), end.isoformat(), ids)
    dies_after.clear()
    dies_before.clear()
    with app.app_context():  # a fresh claim belongs to a run that may still be sending: left alone
        assert digests.send_batch("daily", start.isoformat(), end.isoformat(), ids)["skipped"] == 2
    kampus.settings.forums_digest_stale_claim_seconds = 0.0
    with app.app_context():  # stale: the mailer says whether it went out
        counts = digests.send_batch("daily", start.isoformat(), end.isoformat(), ids)
    assert counts == {"sent": 1, "empty": 0, "skipped": 2, "failed": 0}
    assert sorted(message["To"] for message in mailbox) == sorted(author.email for author in authors)
    assert [status for _u, _c, status, _n in claims(app)] == ["sent"] * 3


def test_a_mailer_that_cannot_tell_leaves_a_dead_claim_alone(app, mailbox, monkeypatch) -> None:
    (author,), _responder = answered_threads(app)
    kampus = app.extensions["kampus"]
    start, end = digests.last_period("daily", tomorrow_morning())
    with app.app_context(), kampus.db.session_scope() as session:
        session.add(DigestSent(user_id=author.id, cadence="daily", period_start=start, period_end=end,
                               status="sending", created_at=start))
    kampus.settings.forums_digest_stale_claim_seconds = 0.0
    monkeypatch.setattr(kampus.mailer, "was_delivered", lambda message_id: None, raising=False)
    run(app)
    assert mailbox == [] and claims(app)[0][2] == "sending"


def test_what_a_digest_leaves_out(app, mailbox) -> None:
    publish(app)
    responder = member(app)
    weekly, off, reader, immediate = member(app), member(app), member(app), member(app)
    set_pref(app, weekly, response_on_my_thread="weekly")
    set_pref(app, off, response_on_my_thread="off")
    set_pref(app, immediate, response_on_my_thread="immediately")
    for author in (weekly, off, reader, immediate):
        post(app, responder, thread_by(app, author), "An answer")
    with app.app_context(), app.extensions["kampus"].db.session_scope() as session:
        session.execute(sa.update(Notification).where(Notification.user_id == reader.id)
                        .values(read_at=datetime.now(UTC)))
    assert [message["To"] for message in mailbox] == [immediate.email]  # at once, not in the digest
    report = run(app)
    assert report["periods"][-1]["users"] == 0 and len(mailbox) == 1
    next_monday = tomorrow_morning() + timedelta(days=7 - tomorrow_morning().weekday())
    run(app, "weekly", next_monday)
    assert [message["To"] for message in mailbox][1:] == [weekly.email]
    assert "weekly" in mailbox[1]["Subject"]


def test_periods_and_catch_up(app) -> None:
    monday = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
    assert digests.last_period("daily", monday) == (datetime(2026, 12, 6, tzinfo=UTC),
                                                    datetime(2026, 12, 7, tzinfo=UTC))
    assert digests.last_period("weekly", monday + timedelta(days=2)) == (
        datetime(2026, 11, 30, tzinfo=UTC), datetime(2026, 12, 7, tzinfo=UTC))
    assert digests.periods("daily", monday, 1) == [
        (datetime(2026, 12, 5, tzinfo=UTC), datetime(2026, 12, 6, tzinfo=UTC)),
        (datetime(2026, 12, 6, tzinfo=UTC), datetime(2026, 12, 7, tzinfo=UTC))]
    with pytest.raises(digests.DigestError):
        digests.last_period("hourly", monday)
    with pytest.raises(digests.DigestError):
        digests.parse_time("yesterday")


def test_a_missed_day_is_caught_up_by_the_next_run(app, mailbox) -> None:
    (author,), _responder = answered_threads(app)
    run(app, now=tomorrow_morning() + timedelta(days=1))  # the run of tomorrow was missed
    assert [message["To"] for message in mailbox] == [author.email]


def test_the_schedule_and_the_command(app, mailbox, monkeypatch) -> None:
    entries = {entry.name: entry for entry in app.extensions["kampus.periodic_tasks"]}
    assert entries["forums.daily_digest"].crontab == "0 6 * * *"
    assert entries["forums.weekly_digest"].crontab == "0 6 * * mon"
    assert entries["forums.daily_digest"].task == digests.PLAN_TASK
    assert entries["forums.weekly_digest"].kwargs == {"cadence": "weekly"}
    (author,), _responder = answered_threads(app)
    import kampus.cli

    monkeypatch.setattr(kampus.cli, "load_app", lambda: app)
    from kampus_forums.notifications.cli import forums_digest_command

    result = CliRunner().invoke(forums_digest_command, ["--cadence", "daily", "--now",
                                                        tomorrow_morning().isoformat()])
    assert result.exit_code == 0, result.output
    assert '"sent": 1' in result.output
    assert [message["To"] for message in mailbox] == [author.email]
    bad = CliRunner().invoke(forums_digest_command, ["--now", "someday"])
    assert bad.exit_code == 2 and "ISO 8601" in bad.output


def test_the_digest_times_are_settings(make_app) -> None:
    app = make_app(plugins=["content", "problems", "lms", "forums"],
                   settings={"forums_digest_daily_crontab": "30 5 * * *",
                             "forums_digest_weekly_crontab": "0 7 * * sun"})
    entries = {entry.name: entry.crontab for entry in app.extensions["kampus.periodic_tasks"]}
    assert entries["forums.daily_digest"] == "30 5 * * *" and entries["forums.weekly_digest"] == "0 7 * * sun"


def test_old_claims_and_expired_notifications_are_purged(app, monkeypatch) -> None:
    monkeypatch.setattr(digests, "PURGE_CHUNK", 2)
    (author,), _responder = answered_threads(app)
    later = tomorrow_morning() + timedelta(days=3)
    run(app)
    assert len(claims(app)) == 1
    with app.app_context(), app.extensions["kampus"].db.session_scope() as session:
        for age in (61, 62, 90, 59):
            session.add(Notification(user_id=author.id, course_id="course-v1:X+Y+Z", kind="endorsement",
                                     thread_id=None, data={}, created_at=later - timedelta(days=age)))
    report = run(app, now=later)  # the claim of 4 days before is no longer needed
    assert report["purged"] == {"claims": 1, "notifications": 3}
    assert claims(app) == []
    with app.app_context(), app.extensions["kampus"].db.session_scope() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 2
