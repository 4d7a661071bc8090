"""kernel: stored anonymous learner ids (stable when the secret key changes)

Revision ID: k0002_anonymous_user_id
Revises: k0001_initial
Create Date: 2026-12-06
"""

from alembic import op
import sqlalchemy as sa


revision = 'k0002_anonymous_user_id'
down_revision = 'k0001_initial'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kampus_anonymous_user_id',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.String(length=255), nullable=False),
    sa.Column('anonymous_user_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['kampus_user.id'], name=op.f('fk_kampus_anonymous_user_id_user_id_kampus_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kampus_anonymous_user_id')),
    sa.UniqueConstraint('anonymous_user_id', name=op.f('uq_kampus_anonymous_user_id_anonymous_user_id')),
    sa.UniqueConstraint('user_id', 'course_id', name=op.f('uq_kampus_anonymous_user_id_user_id_course_id'))
    )
    with op.batch_alter_table('kampus_anonymous_user_id', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kampus_anonymous_user_id_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('kampus_anonymous_user_id', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kampus_anonymous_user_id_user_id'))

    op.drop_table('kampus_anonymous_user_id')
