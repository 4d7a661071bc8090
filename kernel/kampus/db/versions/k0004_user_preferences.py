"""kernel: user preferences (time zone, language), Open edX's UserPreference

Revision ID: k0004_user_preferences
Revises: k0003_search_index
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

import kampus.db

revision = 'k0004_user_preferences'
down_revision = 'k0003_search_index'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kampus_user_preference',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('modified', kampus.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['kampus_user.id'],
                            name=op.f('fk_kampus_user_preference_user_id_kampus_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kampus_user_preference')),
    sa.UniqueConstraint('user_id', 'key', name=op.f('uq_kampus_user_preference_user_id_key'))
    )
    with op.batch_alter_table('kampus_user_preference', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kampus_user_preference_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('kampus_user_preference', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kampus_user_preference_user_id'))

    op.drop_table('kampus_user_preference')
