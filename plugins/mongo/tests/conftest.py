"""Which MongoDB the content-store contract runs against: a real server or mongomock."""

from __future__ import annotations

import os

import pytest


def mongo_target() -> tuple[str, str | None]:
    """("mongodb", url) when ``KAMPUS_TEST_MONGO_URL`` is set, else ("mongomock", None)."""
    url = os.environ.get("KAMPUS_TEST_MONGO_URL")
    return ("mongodb", url) if url else ("mongomock", None)


def pytest_report_header(config: pytest.Config) -> str:
    kind, url = mongo_target()
    if kind == "mongodb":
        return f"kampus-mongo: content-store contract against a real MongoDB server ({url.split('@')[-1]})"
    return "kampus-mongo: content-store contract against mongomock (set KAMPUS_TEST_MONGO_URL for a real server)"
