"""The course and moderation tests check every documented answer against its response model."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def kampus_settings() -> dict[str, Any]:
    """A documented answer that does not match its model is a 500."""
    return {"api_validate_responses": True}
