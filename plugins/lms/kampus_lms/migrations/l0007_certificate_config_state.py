"""lms certificates: the certificate configuration each course was last published with

Revision ID: l0007_certificate_config_state
Revises: l0006_certificates
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

from kampus.db import UTCDateTime

revision = "l0007_certificate_config_state"
down_revision = "l0006_certificates"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lms_certificate_config_state",
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("modified", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("course_id", name=op.f("pk_lms_certificate_config_state")),
    )


def downgrade() -> None:
    op.drop_table("lms_certificate_config_state")
