"""forums: bans have a scope (Open edX's ``DiscussionBan.scope``): a course, or every course of an
organization (``org``), with per-course exceptions (``DiscussionBanException``)

Existing restrictions are course-scoped; their ``org`` is left empty (it is only read for organization bans).

Revision ID: f0005_forums_org_bans
Revises: f0004_forums_notification_seen
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

import kampus.db

revision = "f0005_forums_org_bans"
down_revision = "f0004_forums_notification_seen"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("forums_restriction") as batch:
        batch.add_column(sa.Column("scope", sa.String(length=16), server_default="course", nullable=False))
        batch.add_column(sa.Column("org", sa.String(length=255), server_default="", nullable=False))
    op.create_table(
        "forums_restriction_exception",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("restriction_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", kampus.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["restriction_id"], ["forums_restriction.id"],
                                name="fk_forums_restriction_exception_ban", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forums_restriction_exception")),
        sa.UniqueConstraint("restriction_id", "course_id", name="uq_forums_restriction_exception_course"),
    )


def downgrade() -> None:
    op.drop_table("forums_restriction_exception")
    with op.batch_alter_table("forums_restriction") as batch:
        batch.drop_column("org")
        batch.drop_column("scope")
