"""The gradebook tests use the learner admin tests' course of CAPA problems and helpers."""

from __future__ import annotations

from ..learner_admin.conftest import (  # noqa: F401 - fixtures and helpers of this folder's tests
    COURSE,
    check,
    course,
    enrolled_learner,
    kampus_plugins,
    publish,
    token_of,
)
