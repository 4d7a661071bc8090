"""Wiring of events: settings, the sinks every event goes to, and ``POST /event``."""

from __future__ import annotations

import logging
from typing import Any

from kampus_hookspecs import Setting, hookimpl

from kampus.current import current_kampus
from kampus.events.views import bp

log = logging.getLogger(__name__)


@hookimpl
def kampus_settings() -> list[Setting]:
    return [
        Setting("event_sinks", list, ["file"], "Drivers that store tracking events (entry points kampus.event_sink)."),
        Setting("tracking_log", str, "{home}/tracking.log", "JSON-lines file of the file event sink."),
        Setting("tracking_log_max_bytes", int, 100 * 1024 * 1024, "Rotate the tracking log past this size (0: never)."),
        Setting("tracking_log_backups", int, 10, "Rotated tracking logs to keep."),
    ]


@hookimpl
def kampus_blueprints(app: Any) -> list[Any]:
    return [bp]


@hookimpl
def kampus_app_ready(app: Any) -> None:
    """Load the configured sinks now, so a misnamed one stops start-up."""
    kampus = app.extensions["kampus"]
    for name in kampus.settings.event_sinks:
        kampus.driver("event_sink", name)


@hookimpl
def kampus_event_emitted(event: dict[str, Any]) -> None:
    """Hand the event to every configured sink. A failing sink is logged and does
    not stop the others nor fail the request (in tests and debug mode it raises)."""
    kampus = current_kampus()
    for name in kampus.settings.event_sinks:
        try:
            kampus.driver("event_sink", name).write(event)
        except Exception:
            if kampus.app.testing or kampus.app.debug:
                raise
            log.exception("event sink %r failed to store a %r event", name, event.get("event_type"))
