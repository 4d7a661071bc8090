"""kernel: task records name their worker (host:pid) and heartbeat, and can be cancelled

Revision ID: k0007_task_worker
Revises: k0006_account_fields
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

import kampus.db

revision = 'k0007_task_worker'
down_revision = 'k0006_account_fields'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('kampus_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('worker', sa.String(length=255), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('heartbeat_at', kampus.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('cancel_requested', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('kampus_task', schema=None) as batch_op:
        batch_op.drop_column('cancel_requested')
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('worker')
