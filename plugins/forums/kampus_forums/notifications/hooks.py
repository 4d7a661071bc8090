"""The notifications' answers to kernel hooks, called from :mod:`kampus_forums.plugin`: the bell in the main
navigation and the digests' schedule."""

from __future__ import annotations

from typing import Any

from flask import has_app_context, has_request_context
from flask_babel import gettext as _
from kampus_hookspecs import NavItem, PeriodicTask

from kampus import db
from kampus.current import current_kampus
from kampus_forums.notifications import digests, service

DEFAULT_DAILY_CRONTAB = "0 6 * * *"
DEFAULT_WEEKLY_CRONTAB = "0 6 * * mon"


def nav_items(user: Any) -> list[NavItem]:
    """The bell: a link to ``/notifications/`` with the number of unread notifications (one indexed count)."""
    if not has_request_context() or user is None or not getattr(user, "is_authenticated", False):
        return []
    count = service.unread_count(db.session(), user.id)
    label = _("Notifications (%(count)d)", count=count) if count else _("Notifications")
    return [NavItem(label, "/notifications/", order=900, active_prefix="/notifications",
                    extra={"unread": count})]


def periodic_tasks() -> list[PeriodicTask]:
    """The daily and weekly digests (crontabs in UTC from the settings)."""
    daily, weekly = DEFAULT_DAILY_CRONTAB, DEFAULT_WEEKLY_CRONTAB
    if has_app_context():
        settings = current_kampus().settings
        daily, weekly = settings.forums_digest_daily_crontab, settings.forums_digest_weekly_crontab
    return [PeriodicTask("forums.daily_digest", digests.PLAN_TASK, crontab=daily, kwargs={"cadence": "daily"}),
            PeriodicTask("forums.weekly_digest", digests.PLAN_TASK, crontab=weekly, kwargs={"cadence": "weekly"})]
