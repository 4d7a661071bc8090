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
from sqlalchemy.dialects import mysql, postgresql, sqlite
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

    One statement (``ON CONFLICT DO NOTHING``, MySQL's ``INSERT IGNORE``), no
    savepoint: on SQLite, pysqlite opens no transaction before a ``SAVEPOINT``,
    so a savepoint's release would commit the row on its own, out of the
    request's transaction.
    """
    table = model.__table__
    dialect = db_session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):  # the row count is not reliable there: ask for the new id
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(table).values(**values).on_conflict_do_nothing().returning(table.c.id)
        return db_session.execute(statement).first() is not None
    if dialect == "mysql":
        statement = mysql.insert(table).values(**values).prefix_with("IGNORE")
        return bool(db_session.execute(statement).rowcount == 1)
    raise NotImplementedError(f"no insert-if-absent for the {dialect} dialect")
