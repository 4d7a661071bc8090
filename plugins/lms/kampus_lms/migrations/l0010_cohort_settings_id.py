"""lms: a course's cohort settings get an integer id (Open edX's ``CourseCohortsSettings.id``, which its
cohort settings API answers as ``id``); the table is rebuilt as ``lms_course_cohort_settings`` keyed by it,
the course unique, its rows copied

Revision ID: l0010_cohort_settings_id
Revises: l0009_grade_overrides
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from kampus.db import UTCDateTime

revision = "l0010_cohort_settings_id"
down_revision = "l0009_grade_overrides"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lms_course_cohort_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("is_cohorted", sa.Boolean(), nullable=False),
        sa.Column("modified", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_course_cohort_settings")),
        sa.UniqueConstraint("course_id", name=op.f("uq_lms_course_cohort_settings_course_id")),
    )
    op.execute("INSERT INTO lms_course_cohort_settings (course_id, is_cohorted, modified) "
               "SELECT course_id, is_cohorted, modified FROM lms_cohort_settings ORDER BY modified, course_id")
    op.drop_table("lms_cohort_settings")


def downgrade() -> None:
    op.create_table(
        "lms_cohort_settings",
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("is_cohorted", sa.Boolean(), nullable=False),
        sa.Column("modified", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("course_id", name=op.f("pk_lms_cohort_settings")),
    )
    op.execute("INSERT INTO lms_cohort_settings (course_id, is_cohorted, modified) "
               "SELECT course_id, is_cohorted, modified FROM lms_course_cohort_settings")
    op.drop_table("lms_course_cohort_settings")
