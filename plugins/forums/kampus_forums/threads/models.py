"""Threads, comments, their edit history and each reader's read state.

After the cs_comments_service / ``forum`` models: a ``CommentThread`` is a :class:`Thread`; a
``Comment`` whose ``parent_id`` is empty is a *response*, one with a parent is a *comment* on a
response (one level only). Counters (comments, votes, flags) are kept on the rows so that a topic's
thread list is one indexed query. ``author_username`` is kept on the row, as Open edX keeps it, so
lists need no join and retirement rewrites it in place. Deleted posts keep their row (moderation and
the audit log point at them) with ``deleted_at`` set. A post's body is rendered to safe HTML once, when it
is saved (``rendered_body``), so that reading a page of posts renders nothing.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column

from kampus.db import Base, UTCDateTime, utcnow

#: A post's text: MySQL/MariaDB's TEXT holds 64 KiB, too little for a 100,000-character body in UTF-8.
PostText = sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql")

THREAD = "thread"
COMMENT = "comment"
#: ``thread_type`` values.
DISCUSSION = "discussion"
QUESTION = "question"
THREAD_TYPES = (DISCUSSION, QUESTION)


class Thread(Base):
    """A thread of a course topic (``commentable_id``): a discussion or a question."""

    __tablename__ = "forums_thread"
    __table_args__ = (
        sa.Index("ix_forums_thread_topic_activity", "course_id", "commentable_id", "pinned", "last_activity_at"),
        sa.Index("ix_forums_thread_course_activity", "course_id", "pinned", "last_activity_at"),
        sa.Index("ix_forums_thread_author", "author_id", "course_id"),
        # counting a course's or topic's live threads visible to a group reads this index only
        sa.Index("ix_forums_thread_live", "course_id", "commentable_id", "group_id", "deleted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(sa.String(255))
    commentable_id: Mapped[str] = mapped_column(sa.String(255))
    thread_type: Mapped[str] = mapped_column(sa.String(16), default=DISCUSSION)
    title: Mapped[str] = mapped_column(sa.String(1024))
    body: Mapped[str] = mapped_column(PostText)
    #: ``body`` rendered to safe HTML when it was saved (``None``: rendered when shown, e.g. after retirement)
    rendered_body: Mapped[str | None] = mapped_column(PostText, default=None)
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("kampus_user.id", ondelete="SET NULL", name="fk_forums_thread_author"), default=None)
    author_username: Mapped[str] = mapped_column(sa.String(150), default="")
    anonymous: Mapped[bool] = mapped_column(default=False)
    anonymous_to_peers: Mapped[bool] = mapped_column(default=False)
    group_id: Mapped[int | None] = mapped_column(default=None)
    pinned: Mapped[bool] = mapped_column(default=False)
    closed: Mapped[bool] = mapped_column(default=False)
    closed_by_id: Mapped[int | None] = mapped_column(default=None)
    close_reason_code: Mapped[str | None] = mapped_column(sa.String(64), default=None)
    #: responses and comments (visible ones), as Open edX's ``comment_count``
    comment_count: Mapped[int] = mapped_column(default=0)
    #: responses only
    response_count: Mapped[int] = mapped_column(default=0)
    vote_count: Mapped[int] = mapped_column(default=0)
    #: a response is endorsed (a question is answered)
    endorsed: Mapped[bool] = mapped_column(default=False)
    #: users whose abuse flag is current
    abuse_flag_count: Mapped[int] = mapped_column(default=0)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    deleted_by_id: Mapped[int | None] = mapped_column(default=None)
    delete_reason: Mapped[str] = mapped_column(sa.String(500), default="")


class Comment(Base):
    """A response to a thread (``parent_id`` empty) or a comment on a response."""

    __tablename__ = "forums_comment"
    __table_args__ = (
        sa.Index("ix_forums_comment_thread_parent", "thread_id", "parent_id", "endorsed", "created_at"),
        # a page of responses or comments in the order shown, without sorting them all (migration f0007)
        sa.Index("ix_forums_comment_thread_parent_time", "thread_id", "parent_id", "created_at", "id"),
        sa.Index("ix_forums_comment_author", "author_id", "course_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(
        sa.ForeignKey("forums_thread.id", ondelete="CASCADE", name="fk_forums_comment_thread"))
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("forums_comment.id", ondelete="CASCADE", name="fk_forums_comment_parent"), default=None)
    course_id: Mapped[str] = mapped_column(sa.String(255))
    body: Mapped[str] = mapped_column(PostText)
    #: ``body`` rendered to safe HTML when it was saved (``None``: rendered when shown)
    rendered_body: Mapped[str | None] = mapped_column(PostText, default=None)
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("kampus_user.id", ondelete="SET NULL", name="fk_forums_comment_author"), default=None)
    author_username: Mapped[str] = mapped_column(sa.String(150), default="")
    anonymous: Mapped[bool] = mapped_column(default=False)
    anonymous_to_peers: Mapped[bool] = mapped_column(default=False)
    endorsed: Mapped[bool] = mapped_column(default=False)
    endorsed_by_id: Mapped[int | None] = mapped_column(default=None)
    endorsed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    child_count: Mapped[int] = mapped_column(default=0)
    vote_count: Mapped[int] = mapped_column(default=0)
    abuse_flag_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    deleted_by_id: Mapped[int | None] = mapped_column(default=None)
    delete_reason: Mapped[str] = mapped_column(sa.String(500), default="")


class EditRecord(Base):
    """One edit of a post's body: the body before it, who edited and why (Open edX's ``edit_history``)."""

    __tablename__ = "forums_edit_record"
    __table_args__ = (sa.Index("ix_forums_edit_record_content", "content_type", "content_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    content_type: Mapped[str] = mapped_column(sa.String(16))
    content_id: Mapped[int]
    editor_id: Mapped[int | None] = mapped_column(default=None)
    editor_username: Mapped[str] = mapped_column(sa.String(150), default="")
    original_body: Mapped[str] = mapped_column(PostText)
    reason_code: Mapped[str | None] = mapped_column(sa.String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReadState(Base):
    """When a user last read a thread and how many comments it had then (unread count = now - then)."""

    __tablename__ = "forums_read_state"
    __table_args__ = (sa.UniqueConstraint("user_id", "thread_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("kampus_user.id", ondelete="CASCADE", name="fk_forums_read_state_user"))
    thread_id: Mapped[int] = mapped_column(
        sa.ForeignKey("forums_thread.id", ondelete="CASCADE", name="fk_forums_read_state_thread"), index=True)
    course_id: Mapped[str] = mapped_column(sa.String(255))
    last_read_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_comment_count: Mapped[int] = mapped_column(default=0)
