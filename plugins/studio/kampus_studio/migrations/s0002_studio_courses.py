"""studio: the courses area's tables (reruns in progress, course creators)

Revision ID: s0002_studio_courses
Revises: s0001_studio
Create Date: 2026-12-06
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "s0002_studio_courses"
down_revision = "s0001_studio"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
