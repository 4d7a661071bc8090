"""studio: the transfer area's tables (resumable uploads of import archives)

Revision ID: s0001_studio
Revises:
Create Date: 2026-12-06
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "s0001_studio"
down_revision = None
branch_labels = ("studio",)
depends_on = "k0001_initial"


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
