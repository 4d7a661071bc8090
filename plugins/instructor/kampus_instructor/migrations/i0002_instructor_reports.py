"""instructor: the reports and tasks areas' tables (report files listed per course)

Revision ID: i0002_instructor_reports
Revises: i0001_instructor
Create Date: 2026-12-06
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "i0002_instructor_reports"
down_revision = "i0001_instructor"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
