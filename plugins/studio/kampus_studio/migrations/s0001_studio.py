"""studio: the transfer area's tables (resumable uploads of import archives)

Revision ID: s0001_studio
Revises:
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

import kampus.db

revision = "s0001_studio"
down_revision = None
branch_labels = ("studio",)
depends_on = "k0001_initial"


def upgrade() -> None:
    op.create_table(
        "studio_upload",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("received", sa.BigInteger(), nullable=False),
        sa.Column("chunks", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=True),
        sa.Column("errors", sa.JSON(), nullable=True),
        sa.Column("warnings", sa.JSON(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("created_at", kampus.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", kampus.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["kampus_user.id"], name=op.f("fk_studio_upload_user_id_kampus_user"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_studio_upload")),
    )
    op.create_index(op.f("ix_studio_upload_course_id"), "studio_upload", ["course_id"])
    op.create_index(op.f("ix_studio_upload_user_id"), "studio_upload", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_studio_upload_user_id"), table_name="studio_upload")
    op.drop_index(op.f("ix_studio_upload_course_id"), table_name="studio_upload")
    op.drop_table("studio_upload")
