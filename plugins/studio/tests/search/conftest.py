"""The search area's tests run with the content, problems and Studio plugins."""

from __future__ import annotations

import pytest


@pytest.fixture
def kampus_plugins():
    return ["content", "problems", "studio"]
