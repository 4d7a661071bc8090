"""Tables of learner progress: the score and the completion of each block, per learner.

* ``content_score``: the last score a block published for a learner (Open edX
  keeps it in ``StudentModule.grade``/``max_grade`` and feeds the persistent
  grades from it): earned and possible points, when the learner was first
  scored and when the score last changed.
* ``content_block_completion``: how far a learner completed a block, 0.0 to 1.0
  (Open edX's ``BlockCompletion`` of ``openedx/completion``).

Both are unique per (user, block) and indexed by (course, user), the shape of
the batch reads for a whole course and a list of learners.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from kampus.db import Base, UTCDateTime, utcnow


class Score(Base):
    """A learner's score on one block, as the block last published it."""

    __tablename__ = "content_score"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "usage_key"),
        sa.Index("ix_content_score_course_key_user_id", "course_key", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.Integer)
    course_key: Mapped[str] = mapped_column(sa.String(255))
    usage_key: Mapped[str] = mapped_column(sa.String(255))
    block_type: Mapped[str] = mapped_column(sa.String(64))
    earned: Mapped[float] = mapped_column(sa.Double())
    possible: Mapped[float] = mapped_column(sa.Double())
    first_attempted: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    modified: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class BlockCompletion(Base):
    """How far a learner completed one block (only ever raised)."""

    __tablename__ = "content_block_completion"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "usage_key"),
        sa.Index("ix_content_block_completion_course_key_user_id", "course_key", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.Integer)
    course_key: Mapped[str] = mapped_column(sa.String(255))
    usage_key: Mapped[str] = mapped_column(sa.String(255))
    block_type: Mapped[str] = mapped_column(sa.String(64))
    completion: Mapped[float] = mapped_column(sa.Double())
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    modified: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def insert_if_absent(db_session: Session, model: type[Base], values: dict[str, Any]) -> bool:
    """Insert a row unless one with the same unique key exists; whether it was inserted.

    The insert runs in a savepoint of the caller's transaction: a row that a
    concurrent request stored first makes only the savepoint roll back
    (the kernel opens SQLite's transaction before a savepoint, so the row
    commits or rolls back with the caller's work on every database).
    """
    try:
        with db_session.begin_nested():
            db_session.add(model(**values))
    except IntegrityError:
        return False
    return True
