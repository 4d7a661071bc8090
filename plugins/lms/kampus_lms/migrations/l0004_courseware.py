"""lms courseware: bookmarks and the last unit viewed in each subsection

Revision ID: l0004_courseware
Revises: l0003_enrollment
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

import kampus.db

revision = "l0004_courseware"
down_revision = "l0003_enrollment"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lms_bookmark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("usage_id", sa.String(length=255), nullable=False),
        sa.Column("block_type", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=False),
        sa.Column("path", sa.JSON(), nullable=False),
        sa.Column("created", kampus.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_bookmark")),
        sa.UniqueConstraint("user_id", "usage_id", name=op.f("uq_lms_bookmark_user_id_usage_id")),
    )
    op.create_index("ix_lms_bookmark_user_id_course_id", "lms_bookmark", ["user_id", "course_id"])
    op.create_table(
        "lms_visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("sequential_id", sa.String(length=255), nullable=False),
        sa.Column("unit_id", sa.String(length=255), nullable=False),
        sa.Column("modified", kampus.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_visit")),
        sa.UniqueConstraint("user_id", "sequential_id", name=op.f("uq_lms_visit_user_id_sequential_id")),
    )
    op.create_index("ix_lms_visit_user_id_course_id", "lms_visit", ["user_id", "course_id"])


def downgrade() -> None:
    op.drop_index("ix_lms_visit_user_id_course_id", table_name="lms_visit")
    op.drop_table("lms_visit")
    op.drop_index("ix_lms_bookmark_user_id_course_id", table_name="lms_bookmark")
    op.drop_table("lms_bookmark")
