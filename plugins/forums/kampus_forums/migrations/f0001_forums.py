"""forums: threads, comments, edit history, read state, votes, follows, abuse flags, bans and mutes, the
moderators' audit log, discussion settings, notifications, e-mail preferences and the digest ledger

Revision ID: f0001_forums
Revises:
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from alembic import op

import kampus.db

#: MySQL/MariaDB's TEXT holds 64 KiB, too little for a 100,000-character post in UTF-8.
POST_TEXT = sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql")

revision = "f0001_forums"
down_revision = None
branch_labels = ("forums",)
depends_on = "l0009_grade_overrides"


def upgrade() -> None:
    op.create_table(
        "forums_audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("moderator_id", sa.Integer(), nullable=True),
        sa.Column("moderator_username", sa.String(length=150), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target_type", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=False),
        sa.Column("target_user_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", kampus.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forums_audit_entry")),
    )
    op.create_index(
        "ix_forums_audit_entry_course_time", "forums_audit_entry", ["course_id", "created_at"], unique=False
    )
    op.create_table(
        "forums_discussion_settings",
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("division_scheme", sa.String(length=20), nullable=False),
        sa.Column("always_divide_inline_discussions", sa.Boolean(), nullable=False),
        sa.Column("divided_discussions", sa.JSON(), nullable=False),
        sa.Column("reported_content_email_notifications", sa.Boolean(), nullable=False),
        sa.Column("updated_at", kampus.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("course_id", name=op.f("pk_forums_discussion_settings")),
    )
    op.create_table(
        "forums_edit_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=16), nullable=False),
        sa.Column("content_id", sa.Integer(), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=True),
        sa.Column("editor_username", sa.String(length=150), nullable=False),
        sa.Column("original_body", POST_TEXT, nullable=False),
        sa.Column("reason_code", sa.String(length=64), nullable=True),
        sa.Column("created_at", kampus.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forums_edit_record")),
    )
    op.create_index("ix_forums_edit_record_content", "forums_edit_record", ["content_type", "content_id"], unique=False)
    op.create_table(
        "forums_abuse_flag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=16), nullable=False),
        sa.Column("content_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", kampus.db.UTCDateTime(), nullable=False),
        sa.Column("cleared_at", kampus.db.UTCDateTime(), nullable=True),
        sa.Column("cleared_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["kampus_user.id"], name="fk_forums_abuse_flag_user", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forums_abuse_flag")),
    )
    op.create_index(
        "ix_forums_abuse_flag_content", "forums_abuse_flag", ["content_type", "content_id", "cleared_at"], unique=False
    )
    op.create_index("ix_forums_abuse_flag_course", "forums_abuse_flag", ["course_id", "cleared_at"], unique=False)
    op.create_table(
        "forums_digest_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("cadence", sa.String(length=16), nullable=False),
        sa.Column("period_start", kampus.db.UTCDateTime(), nullable=False),
        sa.Column("period_end", kampus.db.UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("notification_count", sa.Integer(), nullable=False),
        sa.Column("created_at", kampus.db.UTCDateTime(), nullable=False),
        sa.Column("sent_at", kampus.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["kampus_user.id"], name="fk_forums_digest_sent_user", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forums_digest_sent")),
        sa.UniqueConstraint(
            "user_id", "cadence", "period_start", name=op.f("uq_forums_digest_sent_user_id_cadence_period_start")
        ),
    )
    op.create_table(
        "forums_notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", kampus.db.UTCDateTime(), nullable=False),
        sa.Column("read_at", kampus.db.UTCDateTime(), nullable=True),
        sa.Column("emailed_at", kampus.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["kampus_user.id"], name="fk_forums_notification_user", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forums_notification")),
    )
    op.create_index(
        "ix_forums_notification_user_created", "forums_notification", ["user_id", "created_at"], unique=False
    )
    op.create_index(
        "ix_forums_notification_user_read", "forums_notification", ["user_id", "read_at", "created_at"], unique=False
    )
    op.create_table(
        "forums_notification_preference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("cadence", sa.String(length=16), nullable=False),
        sa.Column("updated_at", kampus.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["kampus_user.id"], name="fk_forums_notification_preference_user", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forums_notification_preference")),
        sa.UniqueConstraint("user_id", "kind", name=op.f("uq_forums_notification_preference_user_id_kind")),
    )
    op.create_table(
        "forums_restriction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", kampus.db.UTCDateTime(), nullable=False),
        sa.Column("expires_at", kampus.db.UTCDateTime(), nullable=True),
        sa.Column("lifted_at", kampus.db.UTCDateTime(), nullable=True),
        sa.Column("lifted_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["kampus_user.id"], name="fk_forums_restriction_user", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forums_restriction")),
    )
    op.create_index(
        "ix_forums_restriction_user_course", "forums_restriction", ["user_id", "course_id", "lifted_at"], unique=False
    )
    op.create_table(
        "forums_thread",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("commentable_id", sa.String(length=255), nullable=False),
        sa.Column("thread_type", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=1024), nullable=False),
        sa.Column("body", POST_TEXT, nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_username", sa.String(length=150), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("anonymous_to_peers", sa.Boolean(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("close_reason_code", sa.String(length=64), nullable=True),
        sa.Column("comment_count", sa.Integer(), nullable=False),
        sa.Column("response_count", sa.Integer(), nullable=False),
        sa.Column("vote_count", sa.Integer(), nullable=False),
        sa.Column("endorsed", sa.Boolean(), nullable=False),
        sa.Column("abuse_flag_count", sa.Integer(), nullable=False),
        sa.Column("last_activity_at", kampus.db.UTCDateTime(), nullable=False),
        sa.Column("created_at", kampus.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", kampus.db.UTCDateTime(), nullable=False),
        sa.Column("deleted_at", kampus.db.UTCDateTime(), nullable=True),
        sa.Column("deleted_by_id", sa.Integer(), nullable=True),
        sa.Column("delete_reason", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["kampus_user.id"], name="fk_forums_thread_author", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forums_thread")),
    )
    op.create_index("ix_forums_thread_author", "forums_thread", ["author_id", "course_id"], unique=False)
    op.create_index(
        "ix_forums_thread_course_activity", "forums_thread", ["course_id", "pinned", "last_activity_at"], unique=False
    )
    op.create_index(
        "ix_forums_thread_topic_activity",
        "forums_thread",
        ["course_id", "commentable_id", "pinned", "last_activity_at"],
        unique=False,
    )
    op.create_table(
        "forums_vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=16), nullable=False),
        sa.Column("content_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", kampus.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["kampus_user.id"], name="fk_forums_vote_user", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forums_vote")),
        sa.UniqueConstraint(
            "content_type", "content_id", "user_id", name=op.f("uq_forums_vote_content_type_content_id_user_id")
        ),
    )
    op.create_index(op.f("ix_forums_vote_user_id"), "forums_vote", ["user_id"], unique=False)
    op.create_table(
        "forums_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("body", POST_TEXT, nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_username", sa.String(length=150), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("anonymous_to_peers", sa.Boolean(), nullable=False),
        sa.Column("endorsed", sa.Boolean(), nullable=False),
        sa.Column("endorsed_by_id", sa.Integer(), nullable=True),
        sa.Column("endorsed_at", kampus.db.UTCDateTime(), nullable=True),
        sa.Column("child_count", sa.Integer(), nullable=False),
        sa.Column("vote_count", sa.Integer(), nullable=False),
        sa.Column("abuse_flag_count", sa.Integer(), nullable=False),
        sa.Column("created_at", kampus.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", kampus.db.UTCDateTime(), nullable=False),
        sa.Column("deleted_at", kampus.db.UTCDateTime(), nullable=True),
        sa.Column("deleted_by_id", sa.Integer(), nullable=True),
        sa.Column("delete_reason", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["kampus_user.id"], name="fk_forums_comment_author", ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["forums_comment.id"], name="fk_forums_comment_parent", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"], ["forums_thread.id"], name="fk_forums_comment_thread", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forums_comment")),
    )
    op.create_index("ix_forums_comment_author", "forums_comment", ["author_id", "course_id"], unique=False)
    op.create_index(
        "ix_forums_comment_thread_parent",
        "forums_comment",
        ["thread_id", "parent_id", "endorsed", "created_at"],
        unique=False,
    )
    op.create_table(
        "forums_follow",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("created_at", kampus.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["thread_id"], ["forums_thread.id"], name="fk_forums_follow_thread", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["kampus_user.id"], name="fk_forums_follow_user", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forums_follow")),
        sa.UniqueConstraint("user_id", "thread_id", name=op.f("uq_forums_follow_user_id_thread_id")),
    )
    op.create_index(op.f("ix_forums_follow_thread_id"), "forums_follow", ["thread_id"], unique=False)
    op.create_table(
        "forums_read_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("last_read_at", kampus.db.UTCDateTime(), nullable=False),
        sa.Column("read_comment_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["thread_id"], ["forums_thread.id"], name="fk_forums_read_state_thread", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["kampus_user.id"], name="fk_forums_read_state_user", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forums_read_state")),
        sa.UniqueConstraint("user_id", "thread_id", name=op.f("uq_forums_read_state_user_id_thread_id")),
    )
    op.create_index(op.f("ix_forums_read_state_thread_id"), "forums_read_state", ["thread_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_forums_read_state_thread_id"), table_name="forums_read_state")
    op.drop_table("forums_read_state")
    op.drop_index(op.f("ix_forums_follow_thread_id"), table_name="forums_follow")
    op.drop_table("forums_follow")
    op.drop_index("ix_forums_comment_thread_parent", table_name="forums_comment")
    op.drop_index("ix_forums_comment_author", table_name="forums_comment")
    op.drop_table("forums_comment")
    op.drop_index(op.f("ix_forums_vote_user_id"), table_name="forums_vote")
    op.drop_table("forums_vote")
    op.drop_index("ix_forums_thread_topic_activity", table_name="forums_thread")
    op.drop_index("ix_forums_thread_course_activity", table_name="forums_thread")
    op.drop_index("ix_forums_thread_author", table_name="forums_thread")
    op.drop_table("forums_thread")
    op.drop_index("ix_forums_restriction_user_course", table_name="forums_restriction")
    op.drop_table("forums_restriction")
    op.drop_table("forums_notification_preference")
    op.drop_index("ix_forums_notification_user_read", table_name="forums_notification")
    op.drop_index("ix_forums_notification_user_created", table_name="forums_notification")
    op.drop_table("forums_notification")
    op.drop_table("forums_digest_sent")
    op.drop_index("ix_forums_abuse_flag_course", table_name="forums_abuse_flag")
    op.drop_index("ix_forums_abuse_flag_content", table_name="forums_abuse_flag")
    op.drop_table("forums_abuse_flag")
    op.drop_index("ix_forums_edit_record_content", table_name="forums_edit_record")
    op.drop_table("forums_edit_record")
    op.drop_table("forums_discussion_settings")
    op.drop_index("ix_forums_audit_entry_course_time", table_name="forums_audit_entry")
    op.drop_table("forums_audit_entry")
