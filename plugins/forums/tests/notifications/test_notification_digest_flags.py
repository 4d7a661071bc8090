"""A digest leaves out posts that were ever reported (abuse flags current or cleared), as Open edX's
digests do; and ``kampus forums-digest`` prints clean JSON even with the console mailer."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner
from kampus_forums.interactions.models import AbuseFlag
from kampus_forums.notifications import digests
from kampus_forums.notifications.cli import forums_digest_command

import kampus.cli

from .notify_kit import COURSE, member, post, publish, thread_by


def _run(app) -> dict:
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    with app.app_context():
        return digests.plan("daily", today + timedelta(days=1, hours=6), inline=True)


def _flag(app, content_type: str, content_id: int, user, *, cleared: bool) -> None:
    with app.app_context(), app.extensions["kampus"].db.session_scope() as session:
        session.add(AbuseFlag(content_type=content_type, content_id=content_id, course_id=COURSE, user_id=user.id,
                              cleared_at=datetime.now(UTC) if cleared else None))


def test_reported_posts_are_left_out_of_digests(app, mailbox) -> None:
    publish(app)
    responder, reporter = member(app), member(app)
    clean, flagged, historical = member(app), member(app), member(app)
    post(app, responder, thread_by(app, clean), "A fine answer")
    _flag(app, "comment", post(app, responder, thread_by(app, flagged), "Spam answer"), reporter, cleared=False)
    _flag(app, "comment", post(app, responder, thread_by(app, historical), "Once reported"), reporter,
          cleared=True)
    _run(app)
    assert sorted(message["To"] for message in mailbox) == [clean.email]


def test_the_digest_command_prints_clean_json_with_the_console_mailer(make_app, monkeypatch) -> None:
    app = make_app(["content", "problems", "lms", "forums"], {"mailer": "console"})
    publish(app)
    author, responder = member(app), member(app)
    post(app, responder, thread_by(app, author), "An answer worth mailing")
    monkeypatch.setattr(kampus.cli, "load_app", lambda: app)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    result = CliRunner().invoke(forums_digest_command, ["--now", (today + timedelta(days=1, hours=6)).isoformat()])
    assert result.exit_code == 0, result.output
    assert "An answer worth mailing" in result.stderr  # the console mailer's copy
    assert json.loads(result.stdout)["periods"][-1]["sent"] == 1
