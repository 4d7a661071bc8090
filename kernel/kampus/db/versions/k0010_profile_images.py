"""kernel: profile images (Open edX's profile_image_uploaded_at, and the name of the image's files)

Revision ID: k0010_profile_images
Revises: k0009_oauth2_restricted_clients
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

import kampus.db

revision = 'k0010_profile_images'
down_revision = 'k0009_oauth2_restricted_clients'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('kampus_user_profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('profile_image_uploaded_at', kampus.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('profile_image_name', sa.String(length=32), nullable=False,
                                      server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('kampus_user_profile', schema=None) as batch_op:
        batch_op.drop_column('profile_image_name')
        batch_op.drop_column('profile_image_uploaded_at')
