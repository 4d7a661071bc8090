"""What the ``rest`` area (Open edX's discussion REST API) adds to the app; :mod:`kampus_forums.plugin`
gathers every area's lists. Each REST module has its own blueprint, listed here."""

from __future__ import annotations

from typing import Any

from kampus_hookspecs import Setting

from kampus_forums.rest import accounts, courses, moderation, roles, stats, topics, uploads  # COURSE+MODERATION's
from kampus_forums.rest import comments as comments_rest  # POSTS' REST modules
from kampus_forums.rest import settings as settings_rest
from kampus_forums.rest import threads as threads_rest


def blueprints() -> list[Any]:
    return [settings_rest.bp, roles.bp, stats.bp, courses.bp, topics.bp, moderation.bp, accounts.bp,
            threads_rest.bp, comments_rest.bp, uploads.bp]


def permissions() -> dict[str, list[str]]:
    return {}


def settings() -> list[Setting]:
    return [
        Setting("forums_upload_max_bytes", int, 1024 * 1024,
                "Largest image a post may upload (Open edX's MAX_UPLOAD_FILE_SIZE), in bytes."),
        Setting("forums_upload_max_request_bytes", int, 2 * 1024 * 1024,
                "Largest request body of an upload of an image for a post, in bytes."),
    ]


def tasks() -> list[Any]:
    return []
