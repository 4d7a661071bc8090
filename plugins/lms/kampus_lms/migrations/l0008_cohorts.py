"""lms: cohorts and content groups (the instructor membership area fills it)

Revision ID: l0008_cohorts
Revises: l0007_certificate_config_state
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from kampus.db import UTCDateTime

revision = "l0008_cohorts"
down_revision = "l0007_certificate_config_state"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lms_cohort_settings",
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("is_cohorted", sa.Boolean(), nullable=False),
        sa.Column("modified", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("course_id", name=op.f("pk_lms_cohort_settings")),
    )
    op.create_table(
        "lms_cohort",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("assignment_type", sa.String(length=20), nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_cohort")),
        sa.UniqueConstraint("course_id", "name", name=op.f("uq_lms_cohort_course_id_name")),
    )
    op.create_index(op.f("ix_lms_cohort_course_id"), "lms_cohort", ["course_id"])
    op.create_table(
        "lms_cohort_membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["cohort_id"], ["lms_cohort.id"], ondelete="CASCADE",
                                name=op.f("fk_lms_cohort_membership_cohort_id_lms_cohort")),
        sa.ForeignKeyConstraint(["user_id"], ["kampus_user.id"], ondelete="CASCADE",
                                name=op.f("fk_lms_cohort_membership_user_id_kampus_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_cohort_membership")),
        sa.UniqueConstraint("user_id", "course_id", name=op.f("uq_lms_cohort_membership_user_id_course_id")),
    )
    op.create_index(op.f("ix_lms_cohort_membership_cohort_id"), "lms_cohort_membership", ["cohort_id"])
    op.create_table(
        "lms_cohort_preassignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["cohort_id"], ["lms_cohort.id"], ondelete="CASCADE",
                                name=op.f("fk_lms_cohort_preassignment_cohort_id_lms_cohort")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_cohort_preassignment")),
        sa.UniqueConstraint("course_id", "email", name=op.f("uq_lms_cohort_preassignment_course_id_email")),
    )
    op.create_index(op.f("ix_lms_cohort_preassignment_cohort_id"), "lms_cohort_preassignment", ["cohort_id"])
    op.create_table(
        "lms_cohort_content_group",
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("partition_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["cohort_id"], ["lms_cohort.id"], ondelete="CASCADE",
                                name=op.f("fk_lms_cohort_content_group_cohort_id_lms_cohort")),
        sa.PrimaryKeyConstraint("cohort_id", name=op.f("pk_lms_cohort_content_group")),
    )


def downgrade() -> None:
    op.drop_table("lms_cohort_content_group")
    op.drop_index(op.f("ix_lms_cohort_preassignment_cohort_id"), table_name="lms_cohort_preassignment")
    op.drop_table("lms_cohort_preassignment")
    op.drop_index(op.f("ix_lms_cohort_membership_cohort_id"), table_name="lms_cohort_membership")
    op.drop_table("lms_cohort_membership")
    op.drop_index(op.f("ix_lms_cohort_course_id"), table_name="lms_cohort")
    op.drop_table("lms_cohort")
    op.drop_table("lms_cohort_settings")
