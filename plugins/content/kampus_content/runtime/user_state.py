"""Learner data of XBlocks in SQL: the user-scoped field scopes, and fragment resources.

* ``content_student_module``: one row per (user, block) holding the block's
  ``user_state`` fields as a JSON object (Open edX's ``StudentModule``);
* ``content_xblock_summary``: ``user_state_summary`` fields, per block and field;
* ``content_xblock_preference``: ``preferences`` fields, per user, block type and field;
* ``content_xblock_user_info``: ``user_info`` fields, per user and field;
* ``content_xblock_resource``: inline JavaScript of fragments, served by hash so
  that pages need no inline script (the CSP forbids it) on any web process.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column

from kampus.db import Base, UTCDateTime, utcnow

LongText = sa.Text().with_variant(mysql.LONGTEXT(), "mysql")


class StudentModule(Base):
    """A learner's ``user_state`` of one block."""

    __tablename__ = "content_student_module"
    __table_args__ = (sa.UniqueConstraint("user_id", "usage_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.Integer, index=True)
    course_key: Mapped[str] = mapped_column(sa.String(255), index=True)
    usage_key: Mapped[str] = mapped_column(sa.String(255), index=True)
    block_type: Mapped[str] = mapped_column(sa.String(64))
    state: Mapped[str] = mapped_column(LongText, default="{}")
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    modified: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class XBlockSummaryField(Base):
    """A ``user_state_summary`` field of one block (shared by every learner)."""

    __tablename__ = "content_xblock_summary"
    __table_args__ = (sa.UniqueConstraint("usage_key", "field_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    usage_key: Mapped[str] = mapped_column(sa.String(255), index=True)
    field_name: Mapped[str] = mapped_column(sa.String(64))
    value: Mapped[str] = mapped_column(LongText)
    modified: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class XBlockPreference(Base):
    """A ``preferences`` field of a learner for every block of one type."""

    __tablename__ = "content_xblock_preference"
    __table_args__ = (sa.UniqueConstraint("user_id", "block_type", "field_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.Integer, index=True)
    block_type: Mapped[str] = mapped_column(sa.String(64))
    field_name: Mapped[str] = mapped_column(sa.String(64))
    value: Mapped[str] = mapped_column(LongText)
    modified: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class XBlockUserInfo(Base):
    """A ``user_info`` field of a learner (shared by every block)."""

    __tablename__ = "content_xblock_user_info"
    __table_args__ = (sa.UniqueConstraint("user_id", "field_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.Integer, index=True)
    field_name: Mapped[str] = mapped_column(sa.String(64))
    value: Mapped[str] = mapped_column(LongText)
    modified: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class FragmentResource(Base):
    """Inline JavaScript of a fragment, by the SHA-256 of its text."""

    __tablename__ = "content_xblock_resource"

    hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    body: Mapped[str] = mapped_column(LongText)
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
