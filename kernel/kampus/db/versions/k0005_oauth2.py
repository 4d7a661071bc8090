"""kernel: OAuth2 clients and tokens (Open edX's oauth_dispatch on Authlib)

Revision ID: k0005_oauth2
Revises: k0004_user_preferences
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

import kampus.db

revision = 'k0005_oauth2'
down_revision = 'k0004_user_preferences'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kampus_oauth_client',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('client_type', sa.String(length=20), nullable=False),
    sa.Column('secret_digest', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('scope', sa.String(length=500), nullable=False),
    sa.Column('grant_types', sa.String(length=255), nullable=False),
    sa.Column('created_at', kampus.db.UTCDateTime(), nullable=False),
    sa.Column('disabled_at', kampus.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['kampus_user.id'],
                            name=op.f('fk_kampus_oauth_client_user_id_kampus_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kampus_oauth_client')),
    sa.UniqueConstraint('client_id', name=op.f('uq_kampus_oauth_client_client_id'))
    )
    with op.batch_alter_table('kampus_oauth_client', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kampus_oauth_client_user_id'), ['user_id'], unique=False)

    op.create_table('kampus_oauth_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_pk', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('token_type', sa.String(length=10), nullable=False),
    sa.Column('access_digest', sa.String(length=64), nullable=False),
    sa.Column('refresh_digest', sa.String(length=64), nullable=True),
    sa.Column('scope', sa.String(length=500), nullable=False),
    sa.Column('issued_at', kampus.db.UTCDateTime(), nullable=False),
    sa.Column('expires_at', kampus.db.UTCDateTime(), nullable=False),
    sa.Column('refresh_expires_at', kampus.db.UTCDateTime(), nullable=True),
    sa.Column('revoked_at', kampus.db.UTCDateTime(), nullable=True),
    sa.Column('refresh_revoked_at', kampus.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['client_pk'], ['kampus_oauth_client.id'],
                            name=op.f('fk_kampus_oauth_token_client_pk_kampus_oauth_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['kampus_user.id'],
                            name=op.f('fk_kampus_oauth_token_user_id_kampus_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kampus_oauth_token')),
    sa.UniqueConstraint('access_digest', name=op.f('uq_kampus_oauth_token_access_digest')),
    sa.UniqueConstraint('refresh_digest', name=op.f('uq_kampus_oauth_token_refresh_digest'))
    )
    with op.batch_alter_table('kampus_oauth_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kampus_oauth_token_client_pk'), ['client_pk'], unique=False)
        batch_op.create_index(batch_op.f('ix_kampus_oauth_token_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_kampus_oauth_token_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('kampus_oauth_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kampus_oauth_token_expires_at'))
        batch_op.drop_index(batch_op.f('ix_kampus_oauth_token_user_id'))
        batch_op.drop_index(batch_op.f('ix_kampus_oauth_token_client_pk'))
    op.drop_table('kampus_oauth_token')
    with op.batch_alter_table('kampus_oauth_client', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kampus_oauth_client_user_id'))
    op.drop_table('kampus_oauth_client')
