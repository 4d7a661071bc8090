"""kernel: restricted OAuth2 clients and their filters (Open edX's RestrictedApplication, ApplicationAccess)

Revision ID: k0009_oauth2_restricted_clients
Revises: k0008_periodic_tasks
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = 'k0009_oauth2_restricted_clients'
down_revision = 'k0008_periodic_tasks'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('kampus_oauth_client') as batch_op:
        batch_op.add_column(sa.Column('restricted', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('filters', sa.String(length=825), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('kampus_oauth_client') as batch_op:
        batch_op.drop_column('filters')
        batch_op.drop_column('restricted')
