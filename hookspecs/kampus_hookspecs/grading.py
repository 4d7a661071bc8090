"""Grading hooks: scores, grades, response graders, external queues, certificates."""

from __future__ import annotations

from typing import Any

from kampus_hookspecs._marker import hookspec


@hookspec
def kampus_score_changed(
    user_id: int, course_id: str, usage_id: str, earned: float, possible: float, only_if_higher: bool
) -> None:
    """Called after a learner's score on a block changed (a problem was
    checked, a score overridden)."""


@hookspec(firstresult=True)
def kampus_grade_computed(user_id: int, course_id: str, grade: dict[str, Any]) -> dict[str, Any] | None:
    """Adjust a computed course grade: return a new grade dict, or ``None``
    to keep it. The first plugin that answers wins."""


@hookspec
def kampus_response_graders() -> dict[str, Any]:
    """Return graders for CAPA response types: ``{"tag": grader_class}``."""


@hookspec
def kampus_external_queues() -> dict[str, Any]:
    """Return external grading queues this plugin serves: ``{"name": queue}``."""


@hookspec
def kampus_certificate_eligible(user_id: int, course_id: str, grade: dict[str, Any]) -> bool | None:
    """Return ``False`` to withhold a certificate from a passing learner, or
    ``None`` to abstain."""
