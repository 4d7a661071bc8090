"""example: login counts per user

Revision ID: e0001_login_count
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "e0001_login_count"
down_revision = None
branch_labels = ("example",)
depends_on = "k0001_initial"


def upgrade() -> None:
    op.create_table(
        "example_login_count",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["kampus_user.id"], name=op.f("fk_example_login_count_user_id_kampus_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_example_login_count")),
    )


def downgrade() -> None:
    op.drop_table("example_login_count")
