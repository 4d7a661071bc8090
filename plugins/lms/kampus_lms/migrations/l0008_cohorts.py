"""lms: cohorts and content groups (the instructor membership area fills it)

Revision ID: l0008_cohorts
Revises: l0007_certificate_config_state
Create Date: 2026-12-06
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

from kampus.db import UTCDateTime  # noqa: F401

revision = "l0008_cohorts"
down_revision = "l0007_certificate_config_state"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
