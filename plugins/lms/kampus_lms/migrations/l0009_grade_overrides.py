"""lms: subsection grade overrides with their audit trail, due-date extensions (gradebook, learner admin)

Revision ID: l0009_grade_overrides
Revises: l0008_cohorts
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from kampus.db import UTCDateTime

revision = "l0009_grade_overrides"
down_revision = "l0008_cohorts"
branch_labels = None
depends_on = None


def _override_columns() -> list[sa.Column]:
    return [sa.Column(name, sa.Double(), nullable=True)
            for name in ("earned_all_override", "possible_all_override", "earned_graded_override",
                         "possible_graded_override")]


def upgrade() -> None:
    op.create_table(
        "lms_grades_subsection_override",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("usage_key", sa.String(length=255), nullable=False),
        *_override_columns(),
        sa.Column("system", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.Column("modified", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["kampus_user.id"],
                                name=op.f("fk_lms_grades_subsection_override_user_id_kampus_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_grades_subsection_override")),
        sa.UniqueConstraint("user_id", "course_id", "usage_key",
                            name=op.f("uq_lms_grades_subsection_override_user_id_course_id_usage_key")),
    )
    op.create_index("ix_lms_grades_subsection_override_course_id_user_id", "lms_grades_subsection_override",
                    ["course_id", "user_id"])
    op.create_table(
        "lms_grades_subsection_override_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("override_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("usage_key", sa.String(length=255), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("feature", sa.String(length=32), nullable=False),
        sa.Column("comments", sa.String(length=300), nullable=False),
        *_override_columns(),
        sa.Column("previous_earned_graded", sa.Double(), nullable=True),
        sa.Column("previous_possible_graded", sa.Double(), nullable=True),
        sa.Column("history_user_id", sa.Integer(), nullable=True),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["kampus_user.id"],
                                name=op.f("fk_lms_grades_subsection_override_history_user_id_kampus_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_grades_subsection_override_history")),
    )
    op.create_index("ix_lms_grades_override_history_course_usage_user", "lms_grades_subsection_override_history",
                    ["course_id", "usage_key", "user_id"])
    op.create_table(
        "lms_due_date_extension",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("usage_key", sa.String(length=255), nullable=False),
        sa.Column("extended_due", UTCDateTime(), nullable=False),
        sa.Column("reason", sa.String(length=255), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.Column("modified", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["kampus_user.id"],
                                name=op.f("fk_lms_due_date_extension_user_id_kampus_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_due_date_extension")),
        sa.UniqueConstraint("user_id", "course_id", "usage_key",
                            name=op.f("uq_lms_due_date_extension_user_id_course_id_usage_key")),
    )
    op.create_index("ix_lms_due_date_extension_course_id_usage_key", "lms_due_date_extension",
                    ["course_id", "usage_key"])


def downgrade() -> None:
    op.drop_index("ix_lms_due_date_extension_course_id_usage_key", table_name="lms_due_date_extension")
    op.drop_table("lms_due_date_extension")
    op.drop_index("ix_lms_grades_override_history_course_usage_user",
                  table_name="lms_grades_subsection_override_history")
    op.drop_table("lms_grades_subsection_override_history")
    op.drop_index("ix_lms_grades_subsection_override_course_id_user_id", table_name="lms_grades_subsection_override")
    op.drop_table("lms_grades_subsection_override")
