"""lms certificates: generated certificates, allowlist, invalidations

Revision ID: l0006_certificates
Revises: l0005_grades
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from kampus.db import UTCDateTime

revision = "l0006_certificates"
down_revision = "l0005_grades"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lms_generated_certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("mode", sa.String(length=32), nullable=False),
        sa.Column("grade", sa.String(length=5), nullable=False),
        sa.Column("verify_uuid", sa.String(length=32), nullable=False),
        sa.Column("download_url", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("generation_mode", sa.String(length=32), nullable=False),
        sa.Column("issued_at", UTCDateTime(), nullable=True),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.Column("modified", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["kampus_user.id"],
                                name=op.f("fk_lms_generated_certificate_user_id_kampus_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_generated_certificate")),
        sa.UniqueConstraint("user_id", "course_id", name=op.f("uq_lms_generated_certificate_user_id_course_id")),
        sa.UniqueConstraint("verify_uuid", name=op.f("uq_lms_generated_certificate_verify_uuid")),
    )
    with op.batch_alter_table("lms_generated_certificate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lms_generated_certificate_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_lms_generated_certificate_course_id"), ["course_id"], unique=False)

    op.create_table(
        "lms_certificate_allowlist",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("allowlist", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["kampus_user.id"],
                                name=op.f("fk_lms_certificate_allowlist_user_id_kampus_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_certificate_allowlist")),
        sa.UniqueConstraint("user_id", "course_id", name=op.f("uq_lms_certificate_allowlist_user_id_course_id")),
    )
    with op.batch_alter_table("lms_certificate_allowlist", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lms_certificate_allowlist_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_lms_certificate_allowlist_course_id"), ["course_id"], unique=False)

    op.create_table(
        "lms_certificate_invalidation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("invalidated_by_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.Column("modified", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["certificate_id"], ["lms_generated_certificate.id"],
            name=op.f("fk_lms_certificate_invalidation_certificate_id_lms_generated_certificate"),
            ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["invalidated_by_id"], ["kampus_user.id"],
            name=op.f("fk_lms_certificate_invalidation_invalidated_by_id_kampus_user"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_certificate_invalidation")),
    )
    with op.batch_alter_table("lms_certificate_invalidation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lms_certificate_invalidation_certificate_id"), ["certificate_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_lms_certificate_invalidation_invalidated_by_id"),
                              ["invalidated_by_id"], unique=False)


def downgrade() -> None:
    op.drop_table("lms_certificate_invalidation")
    op.drop_table("lms_certificate_allowlist")
    op.drop_table("lms_generated_certificate")
