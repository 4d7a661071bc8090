"""Learner progress: scores and block completion

Revision ID: c0003_scores_completion
Revises: c0002_user_state
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

import kampus.db

revision = "c0003_scores_completion"
down_revision = "c0002_user_state"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "content_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_key", sa.String(length=255), nullable=False),
        sa.Column("usage_key", sa.String(length=255), nullable=False),
        sa.Column("block_type", sa.String(length=64), nullable=False),
        sa.Column("earned", sa.Double(), nullable=False),
        sa.Column("possible", sa.Double(), nullable=False),
        sa.Column("first_attempted", kampus.db.UTCDateTime(), nullable=False),
        sa.Column("modified", kampus.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_score")),
        sa.UniqueConstraint("user_id", "usage_key", name=op.f("uq_content_score_user_id_usage_key")),
    )
    op.create_index("ix_content_score_course_key_user_id", "content_score", ["course_key", "user_id"])

    op.create_table(
        "content_block_completion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_key", sa.String(length=255), nullable=False),
        sa.Column("usage_key", sa.String(length=255), nullable=False),
        sa.Column("block_type", sa.String(length=64), nullable=False),
        sa.Column("completion", sa.Double(), nullable=False),
        sa.Column("created", kampus.db.UTCDateTime(), nullable=False),
        sa.Column("modified", kampus.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_block_completion")),
        sa.UniqueConstraint("user_id", "usage_key", name=op.f("uq_content_block_completion_user_id_usage_key")),
    )
    op.create_index(
        "ix_content_block_completion_course_key_user_id", "content_block_completion", ["course_key", "user_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_content_block_completion_course_key_user_id", table_name="content_block_completion")
    op.drop_table("content_block_completion")
    op.drop_index("ix_content_score_course_key_user_id", table_name="content_score")
    op.drop_table("content_score")
