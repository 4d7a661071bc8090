"""kernel: account profiles (Open edX's UserProfile fields of the account API)

Revision ID: k0006_account_fields
Revises: k0005_oauth2
Create Date: 2026-12-09
"""

import sqlalchemy as sa
from alembic import op

import kampus.db

revision = 'k0006_account_fields'
down_revision = 'k0005_oauth2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kampus_user_profile',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('bio', sa.Text(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('state', sa.String(length=2), nullable=False),
    sa.Column('gender', sa.String(length=6), nullable=False),
    sa.Column('year_of_birth', sa.Integer(), nullable=True),
    sa.Column('level_of_education', sa.String(length=6), nullable=False),
    sa.Column('goals', sa.Text(), nullable=False),
    sa.Column('mailing_address', sa.Text(), nullable=False),
    sa.Column('phone_number', sa.String(length=50), nullable=False),
    sa.Column('secondary_email', sa.String(length=254), nullable=False),
    sa.Column('language_proficiencies', sa.JSON(), nullable=False),
    sa.Column('social_links', sa.JSON(), nullable=False),
    sa.Column('meta', sa.JSON(), nullable=False),
    sa.Column('modified', kampus.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['kampus_user.id'],
                            name=op.f('fk_kampus_user_profile_user_id_kampus_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_kampus_user_profile'))
    )


def downgrade() -> None:
    op.drop_table('kampus_user_profile')
