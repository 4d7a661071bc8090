"""lms: the base of the LMS plugin's migrations (each area adds its tables in its own revision)

Revision ID: l0001_lms
Revises:
Create Date: 2026-12-06
"""

revision = "l0001_lms"
down_revision = None
branch_labels = ("lms",)
depends_on = "k0001_initial"


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
