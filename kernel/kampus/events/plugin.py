"""Wiring of events: settings and the sinks every event goes to."""

from __future__ import annotations

from typing import Any

from kampus_hookspecs import Setting, hookimpl


@hookimpl
def kampus_settings() -> list[Setting]:
    return [
        Setting("event_sinks", list, ["file"], "Drivers that store tracking events (entry points kampus.event_sink)."),
        Setting("tracking_log", str, "{home}/tracking.log", "JSON-lines file of the file event sink."),
        Setting("tracking_log_max_bytes", int, 100 * 1024 * 1024, "Rotate the tracking log past this size."),
        Setting("tracking_log_backups", int, 10, "Rotated tracking logs to keep."),
    ]


@hookimpl
def kampus_event_emitted(event: dict[str, Any]) -> None:
    from kampus.app import current_kampus

    kampus = current_kampus()
    for name in kampus.settings.event_sinks:
        kampus.driver("event_sink", name).write(event)
