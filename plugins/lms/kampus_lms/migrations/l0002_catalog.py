"""lms catalog: the cached overview of each published course

Revision ID: l0002_catalog
Revises: l0001_lms
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

import kampus.db

revision = "l0002_catalog"
down_revision = "l0001_lms"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lms_course_overviews",
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("org", sa.String(length=255), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=False),
        sa.Column("language", sa.String(length=32), nullable=False),
        sa.Column("start", kampus.db.UTCDateTime(), nullable=True),
        sa.Column("end", kampus.db.UTCDateTime(), nullable=True),
        sa.Column("enrollment_start", kampus.db.UTCDateTime(), nullable=True),
        sa.Column("enrollment_end", kampus.db.UTCDateTime(), nullable=True),
        sa.Column("catalog_visibility", sa.String(length=16), nullable=False),
        sa.Column("invitation_only", sa.Boolean(), nullable=False),
        sa.Column("data", sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql"), nullable=False),
        sa.Column("modified", kampus.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("course_id", name=op.f("pk_lms_course_overviews")),
    )
    op.create_index("ix_lms_course_overviews_org", "lms_course_overviews", ["org"])


def downgrade() -> None:
    op.drop_index("ix_lms_course_overviews_org", table_name="lms_course_overviews")
    op.drop_table("lms_course_overviews")
