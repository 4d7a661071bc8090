"""instructor: the reports and tasks areas' tables (report files listed per course)

Revision ID: i0002_instructor_reports
Revises: i0001_instructor
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

import kampus.db

revision = "i0002_instructor_reports"
down_revision = "i0001_instructor"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('instructor_report_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.String(length=255), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('report_type', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('blob_key', sa.String(length=1024), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', kampus.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['kampus_user.id'],
                            name=op.f('fk_instructor_report_file_created_by_kampus_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_instructor_report_file')),
    sa.UniqueConstraint('task_id', name=op.f('uq_instructor_report_file_task_id'))
    )
    with op.batch_alter_table('instructor_report_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_instructor_report_file_course_id'), ['course_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('instructor_report_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_instructor_report_file_course_id'))
    op.drop_table('instructor_report_file')
