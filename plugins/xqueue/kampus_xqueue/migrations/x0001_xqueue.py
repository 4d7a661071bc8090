"""xqueue: queues, grader accounts and sessions, submissions

Revision ID: x0001_xqueue
Revises:
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

from kampus.db import UTCDateTime

revision = "x0001_xqueue"
down_revision = None
branch_labels = ("xqueue",)
depends_on = "k0001_initial"


def upgrade() -> None:
    op.create_table(
        "xqueue_queue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("url", sa.String(length=1024), nullable=False),
        sa.Column("timeout", sa.Integer(), nullable=False),
        sa.Column("max_failures", sa.Integer(), nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xqueue_queue")),
        sa.UniqueConstraint("name", name=op.f("uq_xqueue_queue_name")),
    )
    op.create_table(
        "xqueue_grader",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=150), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xqueue_grader")),
        sa.UniqueConstraint("username", name=op.f("uq_xqueue_grader_username")),
    )
    op.create_table(
        "xqueue_grader_queue",
        sa.Column("grader_id", sa.Integer(), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["grader_id"], ["xqueue_grader.id"],
                                name=op.f("fk_xqueue_grader_queue_grader_id_xqueue_grader"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["queue_id"], ["xqueue_queue.id"],
                                name=op.f("fk_xqueue_grader_queue_queue_id_xqueue_queue"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("grader_id", "queue_id", name=op.f("pk_xqueue_grader_queue")),
    )
    op.create_table(
        "xqueue_grader_session",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("grader_id", sa.Integer(), nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.Column("expires", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["grader_id"], ["xqueue_grader.id"],
                                name=op.f("fk_xqueue_grader_session_grader_id_xqueue_grader"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_xqueue_grader_session")),
    )
    with op.batch_alter_table("xqueue_grader_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_xqueue_grader_session_grader_id"), ["grader_id"], unique=False)
    op.create_table(
        "xqueue_submission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requester_id", sa.String(length=128), nullable=False),
        sa.Column("queue_name", sa.String(length=128), nullable=False),
        sa.Column("lms_callback_url", sa.String(length=1024), nullable=False),
        sa.Column("lms_key", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("usage_id", sa.String(length=255), nullable=False),
        sa.Column("xqueue_header", sa.Text(), nullable=False),
        sa.Column("xqueue_body", sa.Text(), nullable=False),
        sa.Column("file_keys", sa.Text(), nullable=False),
        sa.Column("arrival_time", UTCDateTime(), nullable=False),
        sa.Column("pull_time", UTCDateTime(), nullable=True),
        sa.Column("push_time", UTCDateTime(), nullable=True),
        sa.Column("return_time", UTCDateTime(), nullable=True),
        sa.Column("grader_id", sa.String(length=128), nullable=False),
        sa.Column("pullkey", sa.String(length=128), nullable=False),
        sa.Column("grader_reply", sa.Text(), nullable=False),
        sa.Column("num_failures", sa.Integer(), nullable=False),
        sa.Column("lms_ack", sa.Boolean(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.Column("retire_reason", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["kampus_user.id"],
                                name=op.f("fk_xqueue_submission_user_id_kampus_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xqueue_submission")),
    )
    with op.batch_alter_table("xqueue_submission", schema=None) as batch_op:
        batch_op.create_index("ix_xqueue_submission_waiting",
                              ["queue_name", "retired", "pull_time", "arrival_time"], unique=False)
        batch_op.create_index("ix_xqueue_submission_target", ["user_id", "usage_id", "retired"], unique=False)


def downgrade() -> None:
    op.drop_table("xqueue_submission")
    op.drop_table("xqueue_grader_session")
    op.drop_table("xqueue_grader_queue")
    op.drop_table("xqueue_grader")
    op.drop_table("xqueue_queue")
