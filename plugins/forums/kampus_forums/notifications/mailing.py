"""The notification e-mails: immediate ones (one notification) and digests, through the site's mailer driver.

Every message has a deterministic ``Message-ID`` (so a retry can ask the driver whether it went out), the
RFC 8058 ``List-Unsubscribe`` and ``List-Unsubscribe-Post`` headers, and an unsubscribe link in its text.
Transient failures of the driver (:class:`~kampus.drivers.mailer.MailError`) are retried a few times
(``forums_notification_mail_retries``, backing off from ``forums_notification_mail_retry_seconds``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from flask import render_template
from flask_babel import gettext as _
from kampus_lms import api as lms

from kampus.current import current_kampus
from kampus.drivers.mailer import (
    ConsoleMailer,
    Mailer,
    MailError,
    MemoryMailer,
    add_one_click_unsubscribe,
    build_message,
)
from kampus.rendering.dates import as_user
from kampus.urls import absolute_url
from kampus_forums.notifications import preferences, service
from kampus_forums.notifications.models import Notification

log = logging.getLogger(__name__)


class DeliveryFailed(Exception):
    """The driver kept failing (transient errors, retried) or refused the address."""


def message_id(kind: str, key: str) -> str:
    """The ``Message-ID`` of one message (``kind`` ``n`` for a notification, ``d`` for a digest)."""
    domain = parseaddr(current_kampus().settings.mail_from)[1].rpartition("@")[2] or "localhost"
    return f"<kampus-forums-{kind}-{key}@{domain}>"


def was_delivered(mailer: Mailer, wanted: str) -> bool | None:
    """Whether the driver delivered the message with this ``Message-ID``; ``None`` when it cannot tell
    (SMTP). The memory and console drivers can tell; another driver may offer ``was_delivered(id)``."""
    own = getattr(mailer, "was_delivered", None)
    if callable(own):
        return own(wanted)  # type: ignore[no-any-return]
    if isinstance(mailer, MemoryMailer):
        return any(sent["Message-ID"] == wanted for sent in mailer.outbox)
    if isinstance(mailer, ConsoleMailer):
        needle = f"Message-ID: {wanted}".encode()
        return any(needle in path.read_bytes() for path in Path(mailer.folder).glob("*.eml"))
    return None


def deliver(message: EmailMessage) -> None:
    """Deliver through the site's mailer with retries; :class:`DeliveryFailed` when it did not go out."""
    kampus = current_kampus()
    retries = max(0, int(kampus.settings.forums_notification_mail_retries))
    backoff = float(kampus.settings.forums_notification_mail_retry_seconds)
    for attempt in range(retries + 1):
        try:
            kampus.mailer.deliver(message)
            return
        except MailError as exc:
            if attempt >= retries:
                raise DeliveryFailed(str(exc) or "MailError") from exc
            time.sleep(backoff * (2 ** attempt))
        except ValueError as exc:  # a bad address: retrying cannot help
            raise DeliveryFailed(str(exc)) from exc


def _build(to: str, subject: str, text: str, html: str, unsubscribe: str, msgid: str) -> EmailMessage:
    built = build_message(current_kampus().settings.mail_from, to, subject, text, html)
    del built["Message-ID"]
    built["Message-ID"] = msgid
    add_one_click_unsubscribe(built, unsubscribe)
    return built


def _course_name(course_id: str, cache: dict[str, str]) -> str:
    if course_id not in cache:
        overview = lms.course_overview(course_id)
        cache[course_id] = getattr(overview, "display_name", "") or course_id
    return cache[course_id]


def _item(row: Notification) -> dict[str, Any]:
    data = dict(row.data or {})
    return {"id": row.id, "kind": row.kind, "sentence": service.describe(row.kind, data),
            "preview": data.get("preview", ""), "author": service.author_label(data),
            "url": absolute_url(data.get("thread_url") or "/notifications/"), "created_at": row.created_at}


def immediate_message(user: Any, row: Notification) -> EmailMessage:
    """The e-mail of one notification to ``user`` (``id``, ``email``), in the user's language and time zone."""
    with as_user(user.id):
        return _immediate_message(user, row)


def _immediate_message(user: Any, row: Notification) -> EmailMessage:
    settings = current_kampus().settings
    item = _item(row)
    context = {"item": item, "course_name": _course_name(row.course_id, {}), "site_name": settings.site_name,
               "kind_label": str(preferences.KIND_LABELS.get(row.kind, row.kind)),
               "unsubscribe_url": preferences.unsubscribe_url(user.id, [row.kind]),
               "unsubscribe_all_url": preferences.unsubscribe_url(user.id),
               "preferences_url": absolute_url("/notifications/preferences")}
    subject = item["sentence"]
    subject = subject if len(subject) <= 150 else subject[:149] + "…"
    return _build(user.email, subject, render_template("forums/notifications/immediate.txt", **context),
                  render_template("forums/notifications/immediate.html", **context),
                  context["unsubscribe_url"], message_id("n", str(row.id)))


def group_items(rows: Iterable[Notification]) -> list[dict[str, Any]]:
    """Rows grouped by course, then by thread (in the order of their first notification):
    ``[{"course_name", "threads": [{"title", "url", "items": [...]}]}]``."""
    names: dict[str, str] = {}
    courses: dict[str, dict[str, Any]] = {}
    for row in rows:
        course = courses.setdefault(row.course_id, {"course_id": row.course_id,
                                                    "course_name": _course_name(row.course_id, names),
                                                    "threads": {}})
        data = row.data or {}
        thread = course["threads"].setdefault(row.thread_id, {
            "title": data.get("thread_title", ""), "url": absolute_url(data.get("thread_url") or "/notifications/"),
            "items": []})
        thread["items"].append(_item(row))
    return [{**course, "threads": list(course["threads"].values())} for course in courses.values()]


def digest_message(user: Any, cadence: str, rows: list[Notification], key: str) -> EmailMessage:
    """The digest of ``rows`` for ``user``, in the user's language and time zone; ``key`` makes its
    ``Message-ID``."""
    with as_user(user.id):
        return _digest_message(user, cadence, rows, key)


def _digest_message(user: Any, cadence: str, rows: list[Notification], key: str) -> EmailMessage:
    settings = current_kampus().settings
    kinds = sorted({row.kind for row in rows})
    context = {"groups": group_items(rows), "count": len(rows), "cadence": cadence,
               "site_name": settings.site_name, "username": user.username,
               "unsubscribe_url": preferences.unsubscribe_url(user.id, kinds),
               "unsubscribe_all_url": preferences.unsubscribe_url(user.id),
               "preferences_url": absolute_url("/notifications/preferences"),
               "notifications_url": absolute_url("/notifications/")}
    if cadence == "weekly":
        subject = _("Your weekly discussion digest from %(site)s", site=settings.site_name)
    else:
        subject = _("Your daily discussion digest from %(site)s", site=settings.site_name)
    return _build(user.email, subject, render_template("forums/notifications/digest.txt", **context),
                  render_template("forums/notifications/digest.html", **context),
                  context["unsubscribe_url"], message_id("d", key))
