"""lms: subsection grade overrides with their audit trail, due-date extensions (the gradebook and learner admin areas fill it)

Revision ID: l0009_grade_overrides
Revises: l0008_cohorts
Create Date: 2026-12-06
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

from kampus.db import UTCDateTime  # noqa: F401

revision = "l0009_grade_overrides"
down_revision = "l0008_cohorts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
