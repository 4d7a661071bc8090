"""lms grades: persistent subsection and course grades, possible points per course version

Revision ID: l0005_grades
Revises: l0004_courseware
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

import kampus.db

revision = "l0005_grades"
down_revision = "l0004_courseware"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lms_grades_subsection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("usage_key", sa.String(length=255), nullable=False),
        sa.Column("course_version", sa.String(length=255), nullable=False),
        sa.Column("earned_all", sa.Double(), nullable=False),
        sa.Column("possible_all", sa.Double(), nullable=False),
        sa.Column("earned_graded", sa.Double(), nullable=False),
        sa.Column("possible_graded", sa.Double(), nullable=False),
        sa.Column("first_attempted", kampus.db.UTCDateTime(), nullable=True),
        sa.Column("visible_blocks_hash", sa.String(length=64), nullable=False),
        sa.Column("created", kampus.db.UTCDateTime(), nullable=False),
        sa.Column("modified", kampus.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["kampus_user.id"],
                                name=op.f("fk_lms_grades_subsection_user_id_kampus_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_grades_subsection")),
        sa.UniqueConstraint("user_id", "course_id", "usage_key",
                            name=op.f("uq_lms_grades_subsection_user_id_course_id_usage_key")),
    )
    op.create_index("ix_lms_grades_subsection_course_id_user_id", "lms_grades_subsection", ["course_id", "user_id"])

    op.create_table(
        "lms_grades_course",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("course_version", sa.String(length=255), nullable=False),
        sa.Column("grading_policy_hash", sa.String(length=64), nullable=False),
        sa.Column("percent_grade", sa.Double(), nullable=False),
        sa.Column("letter_grade", sa.String(length=255), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("passed_timestamp", kampus.db.UTCDateTime(), nullable=True),
        sa.Column("visibility", sa.String(length=64), nullable=False),
        sa.Column("scores_count", sa.Integer(), nullable=False),
        sa.Column("scores_modified", kampus.db.UTCDateTime(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("created", kampus.db.UTCDateTime(), nullable=False),
        sa.Column("modified", kampus.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["kampus_user.id"],
                                name=op.f("fk_lms_grades_course_user_id_kampus_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_grades_course")),
        sa.UniqueConstraint("user_id", "course_id", name=op.f("uq_lms_grades_course_user_id_course_id")),
    )
    op.create_index("ix_lms_grades_course_course_id_passed", "lms_grades_course", ["course_id", "passed"])

    op.create_table(
        "lms_grades_max_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("max_scores", sa.Text(), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column("created", kampus.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_grades_max_scores")),
        sa.UniqueConstraint("course_id", "version", name=op.f("uq_lms_grades_max_scores_course_id_version")),
    )


def downgrade() -> None:
    op.drop_table("lms_grades_max_scores")
    op.drop_index("ix_lms_grades_course_course_id_passed", table_name="lms_grades_course")
    op.drop_table("lms_grades_course")
    op.drop_index("ix_lms_grades_subsection_course_id_user_id", table_name="lms_grades_subsection")
    op.drop_table("lms_grades_subsection")
