"""The forums' tests run an app with the content, problems, LMS and forums plugins."""

from __future__ import annotations

import pytest


@pytest.fixture
def kampus_plugins():
    return ["content", "problems", "lms", "forums"]
