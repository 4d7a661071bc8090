"""Keeps the forums' search index in step with the posts, from the forums' tracking events.

:func:`on_event` is called by :func:`kampus_forums.plugin.kampus_event_emitted` for every
``edx.forum.*`` event, after the write that caused it committed. It reads the post by the event's
``id`` (the row as it is now, not the event's copy) and indexes or removes its document:

* ``edx.forum.thread.created`` / ``.edited``: the thread (and its posts when it moved to another
  topic or group); ``edx.forum.thread.deleted``: the thread and all its posts leave the index;
* ``edx.forum.response.created`` / ``.edited``, ``edx.forum.comment.created`` / ``.edited``: the post;
* ``edx.forum.response.deleted``: the response and its comments leave; ``edx.forum.comment.deleted``:
  the comment leaves.

Other events (votes, follows, flags, pins, views, searches) do not change what is searched. The index
is secondary: a failure to write it is logged and does not fail the request that posted (``kampus
forums-reindex`` repairs it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kampus_forums.search import service

log = logging.getLogger(__name__)

_ACTIONS: dict[str, Callable[[int], Any]] = {
    "edx.forum.thread.created": service.index_thread,
    "edx.forum.thread.edited": service.index_thread,
    "edx.forum.thread.deleted": service.remove_thread,
    "edx.forum.response.created": service.index_comment,
    "edx.forum.response.edited": service.index_comment,
    "edx.forum.response.deleted": service.remove_response,
    "edx.forum.comment.created": service.index_comment,
    "edx.forum.comment.edited": service.index_comment,
    "edx.forum.comment.deleted": service.remove_comment,
}


def post_id(event: dict[str, Any]) -> int | None:
    """The id of the post an event is about (Open edX sends ids as strings), or ``None``."""
    data = event.get("event")
    if not isinstance(data, dict):
        return None
    try:
        return int(str(data.get("id")))
    except (TypeError, ValueError):
        return None


def on_event(event: dict[str, Any]) -> None:
    """Index or remove the post of one ``edx.forum.*`` event (see the module's doc)."""
    action = _ACTIONS.get(str(event.get("event_type", "")))
    if action is None:
        return
    content_id = post_id(event)
    if content_id is None:
        log.warning("forum search: %s without a post id", event.get("event_type"))
        return
    try:
        action(content_id)
    except Exception:  # the post is saved; a stale index entry is repaired by forums-reindex
        log.exception("forum search: indexing %s %s failed", event.get("event_type"), content_id)
