"""studio: the courses area's table of course reruns (Open edX's CourseRerunState)

Revision ID: s0002_studio_course_rerun
Revises: s0001_studio
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

import kampus.db

revision = "s0002_studio_course_rerun"
down_revision = "s0001_studio"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "studio_course_rerun",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_key", sa.String(length=255), nullable=False),
        sa.Column("source_course_key", sa.String(length=255), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("should_display", sa.Boolean(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("task_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", kampus.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", kampus.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["kampus_user.id"],
                                name=op.f("fk_studio_course_rerun_user_id_kampus_user"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_studio_course_rerun")),
    )
    op.create_index(op.f("ix_studio_course_rerun_course_key"), "studio_course_rerun", ["course_key"])
    op.create_index(op.f("ix_studio_course_rerun_state"), "studio_course_rerun", ["state"])
    op.create_index(op.f("ix_studio_course_rerun_user_id"), "studio_course_rerun", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_studio_course_rerun_user_id"), table_name="studio_course_rerun")
    op.drop_index(op.f("ix_studio_course_rerun_state"), table_name="studio_course_rerun")
    op.drop_index(op.f("ix_studio_course_rerun_course_key"), table_name="studio_course_rerun")
    op.drop_table("studio_course_rerun")
