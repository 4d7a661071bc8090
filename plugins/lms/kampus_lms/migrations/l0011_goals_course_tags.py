"""lms: learners' weekly course goals (course home API's outline, save_course_goal), and user course tags (the
welcome messages a learner dismissed)

Revision ID: l0011_goals_course_tags
Revises: l0010_cohort_settings_id
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from kampus.db import UTCDateTime

revision = "l0011_goals_course_tags"
down_revision = "l0010_cohort_settings_id"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lms_course_goal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("days_per_week", sa.Integer(), nullable=False),
        sa.Column("subscribed_to_reminders", sa.Boolean(), nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.Column("modified", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["kampus_user.id"], name=op.f("fk_lms_course_goal_user_id_kampus_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_course_goal")),
        sa.UniqueConstraint("user_id", "course_id", name=op.f("uq_lms_course_goal_user_id_course_id")),
    )
    op.create_table(
        "lms_user_course_tag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["kampus_user.id"],
                                name=op.f("fk_lms_user_course_tag_user_id_kampus_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_user_course_tag")),
        sa.UniqueConstraint("user_id", "course_id", "key", name=op.f("uq_lms_user_course_tag_user_id_course_id_key")),
    )


def downgrade() -> None:
    op.drop_table("lms_user_course_tag")
    op.drop_table("lms_course_goal")
