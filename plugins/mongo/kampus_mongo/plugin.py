"""Wiring of the mongo plugin: its settings. The store itself is the ``kampus.content_store`` driver ``mongo``."""

from __future__ import annotations

from kampus_hookspecs import Setting, hookimpl


@hookimpl
def kampus_settings() -> list[Setting]:
    return [
        Setting("mongo_url", str, "mongodb://127.0.0.1:27017",
                "MongoDB connection URL of the content store (content_store = \"mongo\").", secret=True),
        Setting("mongo_database", str, "kampus", "MongoDB database holding the course content."),
    ]
