"""lms: goal reminders: the days learners were active in a course (lms_user_activity), and the week whose
reminder went out (lms_course_goal.reminder_sent_week)

Revision ID: l0012_goal_reminders
Revises: l0011_goals_course_tags
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "l0012_goal_reminders"
down_revision = "l0011_goals_course_tags"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lms_course_goal") as batch:
        batch.add_column(sa.Column("reminder_sent_week", sa.Date(), nullable=True))
    op.create_table(
        "lms_user_activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["kampus_user.id"],
                                name=op.f("fk_lms_user_activity_user_id_kampus_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_user_activity")),
        sa.UniqueConstraint("user_id", "course_id", "day", name=op.f("uq_lms_user_activity_user_id_course_id_day")),
    )


def downgrade() -> None:
    op.drop_table("lms_user_activity")
    with op.batch_alter_table("lms_course_goal") as batch:
        batch.drop_column("reminder_sent_week")
