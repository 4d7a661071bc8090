"""What the ``threads`` area adds to the app; :mod:`kampus_forums.plugin` gathers every area's lists."""

from __future__ import annotations

from typing import Any

from kampus_hookspecs import Setting


def blueprints() -> list[Any]:
    return []


def permissions() -> dict[str, list[str]]:
    return {}


def settings() -> list[Setting]:
    return [
        Setting("forums_post_rate_limit", int, 100,
                "Threads, responses and comments a learner may post within forums_post_rate_window seconds "
                "(the rate of Open edX's DISCUSSION_RATELIMIT, 100 a minute; unlike Open edX, where a course "
                "flag turns it on, it applies to every course); beyond, 429 'Too many requests'. The course "
                "team, forum moderators, community TAs and global staff are not limited. 0: no limit."),
        Setting("forums_post_rate_window", int, 60, "The window of forums_post_rate_limit, in seconds."),
        Setting("forums_post_rate_limit_account_days", int, 0,
                "When above 0, only accounts younger than this many days are limited (as Open edX's "
                "SKIP_RATE_LIMIT_ON_ACCOUNT_AFTER_DAYS, whose 0 exempts every account); 0: every learner."),
    ]


def tasks() -> list[Any]:
    return []
