"""Event hooks: tracking-log context and sinks."""

from __future__ import annotations

from typing import Any

from kampus_hookspecs._marker import hookspec


@hookspec
def kampus_event_context(event: dict[str, Any]) -> dict[str, Any] | None:
    """Return fields to add to ``event["context"]`` of an event about to be
    emitted (Open edX tracking-log shape), or ``None``. Called for every event."""


@hookspec
def kampus_event_emitted(event: dict[str, Any]) -> None:
    """Called with every emitted event, after its context is complete.

    Sinks (files, queues, analytics) and listeners implement this. An error
    here propagates: a sink that must not fail the request should catch its
    own errors.
    """
