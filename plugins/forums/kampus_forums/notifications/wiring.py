"""What the ``notifications`` area adds to the app; :mod:`kampus_forums.plugin` gathers every area's lists."""

from __future__ import annotations

from typing import Any

from kampus_hookspecs import Setting

from kampus_forums.notifications import hooks
from kampus_forums.notifications.rest import bp as rest_bp
from kampus_forums.notifications.tasks import TASKS
from kampus_forums.notifications.views import bp as pages_bp


def blueprints() -> list[Any]:
    return [rest_bp, pages_bp]


def permissions() -> dict[str, list[str]]:
    return {}


def settings() -> list[Setting]:
    return [
        Setting("forums_digest_daily_crontab", str, hooks.DEFAULT_DAILY_CRONTAB,
                "When the daily discussion digests go out (crontab, UTC); each covers the UTC day before."),
        Setting("forums_digest_weekly_crontab", str, hooks.DEFAULT_WEEKLY_CRONTAB,
                "When the weekly discussion digests go out (crontab, UTC); each covers the UTC week (from "
                "Monday) before."),
        Setting("forums_digest_batch_size", int, 200, "Users whose digests one background task sends."),
        Setting("forums_digest_catch_up_periods", int, 1,
                "Earlier periods a digest run also sends, when a run was missed or failed (0: the last only)."),
        Setting("forums_digest_stale_claim_seconds", float, 900.0,
                "After this long, a digest claimed by a run that never finished is checked with the mailer "
                "and sent again if the mailer says it did not go out."),
        Setting("forums_notification_expiry_days", int, 60,
                "Notifications older than this are deleted by the digest runs (Open edX's "
                "NOTIFICATIONS_EXPIRY; 0 keeps them)."),
        Setting("forums_notification_mail_retries", int, 2,
                "How many times a notification e-mail is sent again after a transient mailer failure."),
        Setting("forums_notification_mail_retry_seconds", float, 1.0,
                "Wait before the first retry of a notification e-mail (doubled each time)."),
    ]


def tasks() -> list[Any]:
    return list(TASKS)
