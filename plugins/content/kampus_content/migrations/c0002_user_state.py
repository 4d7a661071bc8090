"""XBlock learner state: student modules, summary, preferences, user info; fragment resources

Revision ID: c0002_user_state
Revises: c0001_store
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

import kampus.db

revision = "c0002_user_state"
down_revision = "c0001_store"
branch_labels = None
depends_on = None

LongText = sa.Text().with_variant(mysql.LONGTEXT(), "mysql")


def upgrade() -> None:
    op.create_table(
        "content_student_module",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_key", sa.String(length=255), nullable=False),
        sa.Column("usage_key", sa.String(length=255), nullable=False),
        sa.Column("block_type", sa.String(length=64), nullable=False),
        sa.Column("state", LongText, nullable=False),
        sa.Column("created", kampus.db.UTCDateTime(), nullable=False),
        sa.Column("modified", kampus.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_student_module")),
        sa.UniqueConstraint("user_id", "usage_key", name=op.f("uq_content_student_module_user_id_usage_key")),
    )
    op.create_index(op.f("ix_content_student_module_user_id"), "content_student_module", ["user_id"])
    op.create_index(op.f("ix_content_student_module_course_key"), "content_student_module", ["course_key"])
    op.create_index(op.f("ix_content_student_module_usage_key"), "content_student_module", ["usage_key"])

    op.create_table(
        "content_xblock_summary",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("usage_key", sa.String(length=255), nullable=False),
        sa.Column("field_name", sa.String(length=64), nullable=False),
        sa.Column("value", LongText, nullable=False),
        sa.Column("modified", kampus.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_xblock_summary")),
        sa.UniqueConstraint("usage_key", "field_name", name=op.f("uq_content_xblock_summary_usage_key_field_name")),
    )
    op.create_index(op.f("ix_content_xblock_summary_usage_key"), "content_xblock_summary", ["usage_key"])

    op.create_table(
        "content_xblock_preference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("block_type", sa.String(length=64), nullable=False),
        sa.Column("field_name", sa.String(length=64), nullable=False),
        sa.Column("value", LongText, nullable=False),
        sa.Column("modified", kampus.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_xblock_preference")),
        sa.UniqueConstraint(
            "user_id", "block_type", "field_name",
            name=op.f("uq_content_xblock_preference_user_id_block_type_field_name"),
        ),
    )
    op.create_index(op.f("ix_content_xblock_preference_user_id"), "content_xblock_preference", ["user_id"])

    op.create_table(
        "content_xblock_user_info",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("field_name", sa.String(length=64), nullable=False),
        sa.Column("value", LongText, nullable=False),
        sa.Column("modified", kampus.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_xblock_user_info")),
        sa.UniqueConstraint("user_id", "field_name", name=op.f("uq_content_xblock_user_info_user_id_field_name")),
    )
    op.create_index(op.f("ix_content_xblock_user_info_user_id"), "content_xblock_user_info", ["user_id"])

    op.create_table(
        "content_xblock_resource",
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("body", LongText, nullable=False),
        sa.Column("created", kampus.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("hash", name=op.f("pk_content_xblock_resource")),
    )


def downgrade() -> None:
    op.drop_table("content_xblock_resource")
    op.drop_index(op.f("ix_content_xblock_user_info_user_id"), table_name="content_xblock_user_info")
    op.drop_table("content_xblock_user_info")
    op.drop_index(op.f("ix_content_xblock_preference_user_id"), table_name="content_xblock_preference")
    op.drop_table("content_xblock_preference")
    op.drop_index(op.f("ix_content_xblock_summary_usage_key"), table_name="content_xblock_summary")
    op.drop_table("content_xblock_summary")
    op.drop_index(op.f("ix_content_student_module_usage_key"), table_name="content_student_module")
    op.drop_index(op.f("ix_content_student_module_course_key"), table_name="content_student_module")
    op.drop_index(op.f("ix_content_student_module_user_id"), table_name="content_student_module")
    op.drop_table("content_student_module")
