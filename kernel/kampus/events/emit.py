"""Build Open edX tracking-log events and hand them to every sink.

The envelope follows edx-platform's tracking log (``track.views`` and the
eventtracking shim): top level ``name``, ``username``, ``event_type``,
``event_source``, ``event``, ``context``, ``time``, ``ip``, ``agent``,
``host``, ``session``, ``page``, ``accept_language``, ``referer``; in
``context`` only ``course_id``, ``org_id``, ``user_id``, ``path`` and
``enterprise_uuid`` (plus ``course_user_tags`` on server events, and whatever
``kampus_event_context`` hooks add). The user, session and request fields live
at the top level, as in Open edX's log, not in ``context``.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from flask import has_request_context, request, session
from flask_login import current_user

from kampus.course_keys import course_id_from_url, org_of
from kampus.current import current_kampus

if TYPE_CHECKING:
    from kampus.app import Kampus

# The course context of events: read by edx-opaque-keys in kampus.course_keys, offered here too.
__all__ = ["course_id_from_url", "emit", "emit_with", "event_time", "org_of"]


def event_time() -> str:
    """Now, as the tracking log writes it: ISO-8601 with microseconds and ``+00:00``."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


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
    """(username, id) of the request's user; ``("anonymous", None)`` when nobody
    is logged in, ``("", None)`` outside a request."""
    if not has_request_context():
        return "", None
    if current_user and current_user.is_authenticated:
        return current_user.username, current_user.id
    return "anonymous", None


def emit_with(
    kampus: Kampus,
    event_type: str,
    data: dict[str, Any] | list[Any] | str,
    *,
    course_id: str | None = None,
    event_source: str = "server",
    page: str | None = None,
    username: str | None = None,
    user_id: int | None = None,
    context: dict[str, Any] | None = None,
    name: str | None = None,
) -> dict[str, Any]:
    """Emit an event through the sinks of ``kampus``; return the event as stored."""
    fields = _request_fields()
    request_username, request_user_id = _current_user()
    username = username if username is not None else request_username
    user_id = user_id if user_id is not None else request_user_id
    ctx: dict[str, Any] = {
        "course_id": course_id or "",
        "org_id": org_of(course_id),
        "user_id": user_id,
        "path": fields["path"],
        "enterprise_uuid": "",
    }
    if event_source != "browser":
        ctx["course_user_tags"] = {}
    if context:
        ctx.update(context)
    event: dict[str, Any] = {
        "name": name or event_type,
        "username": username or "",
        "event_type": event_type,
        "event_source": event_source,
        "event": data,
        "context": ctx,
        "time": event_time(),
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


def emit(event_type: str, data: dict[str, Any] | list[Any] | str, **kwargs: Any) -> dict[str, Any]:
    """Emit an event from inside a request, a task or an app context of the current app.

    ``data`` is the ``event`` field: a dict for server events, a string (JSON,
    as the browser sent it) for browser events. Keyword arguments:
    ``course_id`` (``org_id`` follows from it), ``event_source`` (``server``,
    ``browser``, ``mobile``, ``task``), ``page``, ``username``, ``user_id``
    (default: the request's user), ``context`` (extra context fields, e.g.
    ``module``), ``name`` (default: ``event_type``).
    """
    return emit_with(current_kampus(), event_type, data, **kwargs)
