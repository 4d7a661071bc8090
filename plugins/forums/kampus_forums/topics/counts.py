"""How many threads each topic of a course has, by type (Open edX's ``get_course_commentable_counts``)."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from kampus import db
from kampus_forums.threads.models import DISCUSSION, QUESTION, Thread


def empty_counts() -> dict[str, int]:
    return {DISCUSSION: 0, QUESTION: 0}


def thread_counts(course_id: str, topic_ids: Iterable[str] | None = None, *,
                  group_ids: list[int] | None = None) -> dict[str, dict[str, int]]:
    """``{topic_id: {"discussion": n, "question": m}}`` of the course's live threads, in one grouped query;
    topics with no thread are absent. ``topic_ids`` narrows to those topics; ``group_ids`` (``None``: every
    group) counts only threads with no group or of one of those groups."""
    stmt = (sa.select(Thread.commentable_id, Thread.thread_type, sa.func.count())
            .where(Thread.course_id == str(course_id), Thread.deleted_at.is_(None))
            .group_by(Thread.commentable_id, Thread.thread_type))
    if topic_ids is not None:
        stmt = stmt.where(Thread.commentable_id.in_(sorted({str(t) for t in topic_ids})))
    if group_ids is not None:
        stmt = stmt.where(sa.or_(Thread.group_id.is_(None), Thread.group_id.in_(group_ids)))
    counts: dict[str, dict[str, int]] = {}
    for topic_id, thread_type, count in db.session().execute(stmt):
        entry = counts.setdefault(topic_id, empty_counts())
        key = QUESTION if thread_type == QUESTION else DISCUSSION
        entry[key] += int(count)
    return counts
