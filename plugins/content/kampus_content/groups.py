"""Which content groups a learner is in: the plugins' answers to ``kampus_user_partition_groups``.

A block restricted by ``group_access`` (:mod:`kampus_content.release`) is shown to the learners of its
groups; group membership is another plugin's business (the LMS's cohorts), so the content plugin asks
the hook, once per request per learner and course.
"""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context

from kampus import current_kampus


def learner_groups(user_id: int | None, course_id: str) -> dict[int, int]:
    """``{partition_id: group_id}`` of ``user_id`` in ``course_id``, merged from every plugin's answer."""
    if user_id is None:
        return {}
    cache: dict[tuple[int, str], dict[int, int]] | None = (
        g.setdefault("_content_learner_groups", {}) if has_request_context() else None)
    key = (int(user_id), str(course_id))
    if cache is not None and key in cache:
        return cache[key]
    merged: dict[int, int] = {}
    answers: list[Any] = current_kampus().hook.kampus_user_partition_groups(user_id=int(user_id),
                                                                            course_id=str(course_id))
    for answer in answers:
        for partition, group in (answer or {}).items():
            merged[int(partition)] = int(group)
    if cache is not None:
        cache[key] = merged
    return merged
