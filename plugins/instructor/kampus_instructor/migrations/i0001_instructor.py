"""instructor: the bulk_email area's tables (messages, per-recipient sends, opt-outs)

Revision ID: i0001_instructor
Revises:
Create Date: 2026-12-06
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "i0001_instructor"
down_revision = None
branch_labels = ("instructor",)
depends_on = "l0007_certificate_config_state"


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
