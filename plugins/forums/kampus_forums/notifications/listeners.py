"""Reacts to the forums' tracking events: the notifications of a post (see :func:`on_event`)."""

from __future__ import annotations

import logging
from typing import Any

from kampus.current import current_kampus
from kampus_forums.notifications import digests, service
from kampus_forums.notifications.models import CONTENT_REPORTED, ENDORSEMENT, IMMEDIATELY

log = logging.getLogger(__name__)

POST_CREATED = ("edx.forum.response.created", "edx.forum.comment.created")
ENDORSED = "edx.forum.response.mark"
REPORTED = {"edx.forum.thread.reported": "thread", "edx.forum.response.reported": "response",
            "edx.forum.comment.reported": "comment"}
UNREPORTED = {"edx.forum.thread.unreported": "thread", "edx.forum.response.unreported": "comment",
              "edx.forum.comment.unreported": "comment"}
DELETED = {"edx.forum.thread.deleted": "thread", "edx.forum.response.deleted": "comment",
           "edx.forum.comment.deleted": "comment"}
UNENDORSED = "edx.forum.response.unmark"
WITHDRAWING = (*UNREPORTED, *DELETED, UNENDORSED)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def on_event(event: dict[str, Any]) -> None:
    """Called by :func:`kampus_forums.plugin.kampus_event_emitted` for every ``edx.forum.*`` event, after the
    write committed: a new response or comment, an endorsement or a report makes notifications (one
    transaction), then queues the e-mail of those whose recipient wants it at once; a deleted post, a
    withdrawn endorsement or a post whose reports were all cleared takes its notifications back. A failure
    here is logged and never fails the request that posted."""
    event_type = str(event.get("event_type", ""))
    data = event.get("event") if isinstance(event.get("event"), dict) else {}
    context = event.get("context") or {}
    content_id = _int(data.get("id"))
    actor_id = _int(context.get("user_id"))
    if content_id is None:
        return
    if event_type in WITHDRAWING:
        _withdraw(event_type, data, content_id)
        return
    if event_type not in POST_CREATED and event_type != ENDORSED and event_type not in REPORTED:
        return
    try:
        with current_kampus().db.session_scope() as session:
            if event_type in POST_CREATED:
                created = service.notify_post(session, content_id, actor_id)
            elif event_type == ENDORSED:
                created = service.notify_endorsement(session, content_id, actor_id) \
                    if data.get("is_endorsed", True) else []
            else:
                kind = REPORTED[event_type]
                created = service.notify_report(session, "thread" if kind == "thread" else "comment", content_id,
                                                actor_id)
            immediate = [row.id for row in created if row.cadence == IMMEDIATELY]
    except Exception:
        log.exception("notifications of %s %s could not be made", event_type, content_id)
        return
    digests.submit_immediate(immediate)


def _withdraw(event_type: str, data: dict[str, Any], content_id: int) -> None:
    """A deleted post, a withdrawn endorsement or a post whose reports were all cleared: its notifications
    go (see :func:`service.withdraw_post` and :func:`service.withdraw_unread`)."""
    try:
        with current_kampus().db.session_scope() as session:
            if event_type in DELETED:
                service.withdraw_post(session, DELETED[event_type], content_id)
            elif event_type == UNENDORSED:
                service.withdraw_unread(session, ENDORSEMENT, "comment", content_id)
            elif data.get("reported_status_cleared"):
                service.withdraw_unread(session, CONTENT_REPORTED, UNREPORTED[event_type], content_id)
    except Exception:
        log.exception("notifications of %s %s could not be withdrawn", event_type, content_id)
