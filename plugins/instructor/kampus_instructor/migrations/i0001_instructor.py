"""instructor: the bulk_email area's tables (messages, per-recipient sends, opt-outs)

Revision ID: i0001_instructor
Revises:
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

import kampus.db

revision = "i0001_instructor"
down_revision = None
branch_labels = ("instructor",)
depends_on = "l0007_certificate_config_state"


def upgrade() -> None:
    op.create_table(
        "instructor_bulk_email_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=128), nullable=False),
        sa.Column("html_message", sa.Text(), nullable=False),
        sa.Column("targets", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("send_at", kampus.db.UTCDateTime(), nullable=True),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("recipients_ready", sa.Boolean(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=False),
        sa.Column("created_at", kampus.db.UTCDateTime(), nullable=False),
        sa.Column("finished_at", kampus.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["sender_id"], ["kampus_user.id"],
                                name="fk_ibe_message_sender",
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instructor_bulk_email_message")),
    )
    with op.batch_alter_table("instructor_bulk_email_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_instructor_bulk_email_message_course_id"), ["course_id"], unique=False)
    op.create_table(
        "instructor_bulk_email_recipient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=255), nullable=False),
        sa.Column("sent_at", kampus.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["message_id"], ["instructor_bulk_email_message.id"],
                                name="fk_ibe_recipient_message",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["kampus_user.id"],
                                name="fk_ibe_recipient_user", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instructor_bulk_email_recipient")),
        sa.UniqueConstraint("message_id", "user_id",
                            name=op.f("uq_instructor_bulk_email_recipient_message_id_user_id")),
    )
    with op.batch_alter_table("instructor_bulk_email_recipient", schema=None) as batch_op:
        batch_op.create_index("ix_instructor_bulk_email_recipient_message_status", ["message_id", "status"],
                              unique=False)
    op.create_table(
        "instructor_bulk_email_optout",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("created_at", kampus.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["kampus_user.id"],
                                name="fk_ibe_optout_user", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instructor_bulk_email_optout")),
        sa.UniqueConstraint("user_id", "course_id", name=op.f("uq_instructor_bulk_email_optout_user_id_course_id")),
    )
    with op.batch_alter_table("instructor_bulk_email_optout", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_instructor_bulk_email_optout_course_id"), ["course_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("instructor_bulk_email_optout", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_instructor_bulk_email_optout_course_id"))
    op.drop_table("instructor_bulk_email_optout")
    with op.batch_alter_table("instructor_bulk_email_recipient", schema=None) as batch_op:
        batch_op.drop_index("ix_instructor_bulk_email_recipient_message_status")
    op.drop_table("instructor_bulk_email_recipient")
    with op.batch_alter_table("instructor_bulk_email_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_instructor_bulk_email_message_course_id"))
    op.drop_table("instructor_bulk_email_message")
