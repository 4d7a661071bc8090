"""lms enrollment: enrollments, pre-enrollment allowances, course modes

Revision ID: l0003_enrollment
Revises: l0002_catalog
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

import kampus.db

revision = "l0003_enrollment"
down_revision = "l0002_catalog"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lms_course_enrollment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("mode", sa.String(length=100), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created", kampus.db.UTCDateTime(), nullable=False),
        sa.Column("modified", kampus.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["kampus_user.id"],
                                name=op.f("fk_lms_course_enrollment_user_id_kampus_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_course_enrollment")),
        sa.UniqueConstraint("user_id", "course_id", name=op.f("uq_lms_course_enrollment_user_id_course_id")),
    )
    op.create_index("ix_lms_course_enrollment_course_id_is_active", "lms_course_enrollment",
                    ["course_id", "is_active"])

    op.create_table(
        "lms_course_enrollment_allowed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("auto_enroll", sa.Boolean(), nullable=False),
        sa.Column("mode", sa.String(length=100), nullable=False),
        sa.Column("created", kampus.db.UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["kampus_user.id"],
                                name=op.f("fk_lms_course_enrollment_allowed_user_id_kampus_user"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_course_enrollment_allowed")),
        sa.UniqueConstraint("email", "course_id", name=op.f("uq_lms_course_enrollment_allowed_email_course_id")),
    )
    op.create_index("ix_lms_course_enrollment_allowed_user_id", "lms_course_enrollment_allowed", ["user_id"])

    op.create_table(
        "lms_course_mode",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("mode_slug", sa.String(length=100), nullable=False),
        sa.Column("mode_display_name", sa.String(length=255), nullable=False),
        sa.Column("min_price", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=8), nullable=False),
        sa.Column("expiration_datetime", kampus.db.UTCDateTime(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_course_mode")),
        sa.UniqueConstraint("course_id", "mode_slug", name=op.f("uq_lms_course_mode_course_id_mode_slug")),
    )


def downgrade() -> None:
    op.drop_table("lms_course_mode")
    op.drop_index("ix_lms_course_enrollment_allowed_user_id", table_name="lms_course_enrollment_allowed")
    op.drop_table("lms_course_enrollment_allowed")
    op.drop_index("ix_lms_course_enrollment_course_id_is_active", table_name="lms_course_enrollment")
    op.drop_table("lms_course_enrollment")
