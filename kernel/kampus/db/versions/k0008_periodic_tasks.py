"""kernel: the state of the periodic tasks' schedule (next due time, claimed by one worker at a time)

Revision ID: k0008_periodic_tasks
Revises: k0007_task_worker
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

import kampus.db

revision = 'k0008_periodic_tasks'
down_revision = 'k0007_task_worker'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'kampus_periodic_task',
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('schedule', sa.String(length=255), nullable=False),
        sa.Column('next_run_at', kampus.db.UTCDateTime(), nullable=False),
        sa.Column('last_run_at', kampus.db.UTCDateTime(), nullable=True),
        sa.Column('runs', sa.Integer(), nullable=False),
        sa.Column('last_outcome', sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_kampus_periodic_task')),
    )


def downgrade() -> None:
    op.drop_table('kampus_periodic_task')
