"""instructor: courses whose course e-mail global staff turned on or off

Revision ID: i0003_bulk_email_course
Revises: i0002_instructor_reports
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

import kampus.db

revision = "i0003_bulk_email_course"
down_revision = "i0002_instructor_reports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('instructor_bulk_email_course',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.String(length=255), nullable=False),
    sa.Column('email_enabled', sa.Boolean(), nullable=False),
    sa.Column('changed_by', sa.Integer(), nullable=True),
    sa.Column('changed_at', kampus.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['changed_by'], ['kampus_user.id'], name='fk_ibe_course_changed_by', ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_instructor_bulk_email_course')),
    sa.UniqueConstraint('course_id', name=op.f('uq_instructor_bulk_email_course_course_id'))
    )


def downgrade() -> None:
    op.drop_table('instructor_bulk_email_course')
