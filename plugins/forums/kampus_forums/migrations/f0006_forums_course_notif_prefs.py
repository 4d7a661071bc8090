"""forums: notification preferences per course, and notifications made for e-mail only

``forums_course_notification_preference`` keeps a user's choices in one course (Open edX's
``CourseNotificationPreference``): the discussion notifications at all, web, and the e-mail cadence, per
kind. ``forums_notification.web`` says whether a notification is shown in the list and counted by the bell
(false: made for e-mail only, its kind's web notifications being off in its course).

Revision ID: f0006_forums_course_notif_prefs
Revises: f0005_forums_org_bans
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

import kampus.db

revision = "f0006_forums_course_notif_prefs"
down_revision = "f0005_forums_org_bans"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "forums_course_notification_preference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("web", sa.Boolean(), nullable=False),
        sa.Column("cadence", sa.String(length=16), nullable=True),
        sa.Column("updated_at", kampus.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["kampus_user.id"], ondelete="CASCADE",
                                name="fk_forums_course_notification_preference_user"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "course_id", "kind", name="uq_forums_course_notification_preference"),
    )
    with op.batch_alter_table("forums_notification") as batch:
        batch.add_column(sa.Column("web", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("forums_notification") as batch:
        batch.drop_column("web")
    op.drop_table("forums_course_notification_preference")
