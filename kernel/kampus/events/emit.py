"""Build Open edX tracking-log events and hand them to every sink.

The envelope follows edx-platform's ``track.views``: ``username``,
``event_type``, ``event_source``, ``event``, ``context`` (``user_id``,
``course_id``, ``org_id``, ``path``, ...), ``time``, ``ip``, ``agent``,
``host``, ``session``, ``page``, ``name``, ``accept_language``, ``referer``.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from flask import has_request_context, request, session

if TYPE_CHECKING:
    from kampus.app import Kampus


def _org_of(course_id: str | None) -> str:
    """The organisation of a course id (``course-v1:Org+Num+Run`` or ``Org/Num/Run``)."""
    if not course_id:
        return ""
    body = course_id.split(":", 1)[1] if course_id.startswith("course-v1:") else course_id
    for separator in ("+", "/"):
        if separator in body:
            return body.split(separator, 1)[0]
    return ""


def _request_fields() -> dict[str, Any]:
    if not has_request_context():
        return {"ip": "", "agent": "", "host": "", "session": "", "path": "", "accept_language": "", "referer": ""}
    sid = session.get("_sid", "") if session else ""
    return {
        "ip": request.remote_addr or "",
        "agent": request.headers.get("User-Agent", ""),
        "host": request.host,
        "session": hashlib.md5(sid.encode(), usedforsecurity=False).hexdigest() if sid else "",
        "path": request.path,
        "accept_language": request.headers.get("Accept-Language", ""),
        "referer": request.headers.get("Referer", ""),
    }


def _current_user() -> tuple[str, int | None]:
    if not has_request_context():
        return "", None
    from flask_login import current_user

    if current_user and current_user.is_authenticated:
        return current_user.username, current_user.id
    return "", None


def emit_with(
    kampus: Kampus,
    event_type: str,
    data: dict[str, Any] | str,
    *,
    course_id: str | None = None,
    event_source: str = "server",
    page: str | None = None,
    username: str | None = None,
    user_id: int | None = None,
    context: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Emit an event through the sinks of ``kampus``; return the event as stored."""
    fields = _request_fields()
    request_username, request_user_id = _current_user()
    username = username if username is not None else request_username
    user_id = user_id if user_id is not None else request_user_id
    ctx: dict[str, Any] = {
        "course_id": course_id or "",
        "org_id": _org_of(course_id),
        "user_id": user_id,
        "username": username or "",
        "path": fields["path"],
        "ip": fields["ip"],
        "agent": fields["agent"],
        "host": fields["host"],
        "session": fields["session"],
        "course_user_tags": {},
    }
    if context:
        ctx.update(context)
    event: dict[str, Any] = {
        "name": event_type,
        "username": username or "anonymous",
        "event_type": event_type,
        "event_source": event_source,
        "event": data,
        "context": ctx,
        "time": datetime.now(UTC).isoformat(),
        "ip": fields["ip"],
        "agent": fields["agent"],
        "host": fields["host"],
        "session": fields["session"],
        "page": page,
        "accept_language": fields["accept_language"],
        "referer": fields["referer"],
    }
    for extra in kampus.hook.kampus_event_context(event=event):
        if extra:
            ctx.update(extra)
    kampus.hook.kampus_event_emitted(event=event)
    return event


def emit(event_type: str, data: dict[str, Any] | str, **kwargs: Any) -> dict[str, Any]:
    """Emit an event from inside a request or task of the current app.

    ``data`` is the ``event`` field: a dict for server events, a JSON string
    for browser events. Keyword arguments: ``course_id``, ``event_source``
    (``server``, ``browser``, ``mobile``, ``task``), ``page``, ``username``,
    ``user_id``, ``context`` (extra context fields).
    """
    from kampus.app import current_kampus

    return emit_with(current_kampus(), event_type, data, **kwargs)
