"""forums: notifications keep when their user saw them (``seen_at``, Open edX's ``last_seen``)

The bell counts the notifications not seen yet; opening the tray marks them seen
(``PUT /api/notifications/mark-seen/discussion/``); reading one marks it seen too. Notifications written
before count as seen when they were read.

Revision ID: f0004_forums_notification_seen
Revises: f0003_forums_rendered_body
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

import kampus.db

revision = "f0004_forums_notification_seen"
down_revision = "f0003_forums_rendered_body"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("forums_notification") as batch:
        batch.add_column(sa.Column("seen_at", kampus.db.UTCDateTime(), nullable=True))
        batch.create_index("ix_forums_notification_user_seen", ["user_id", "seen_at"])
    notification = sa.table("forums_notification", sa.column("seen_at", sa.DateTime()),
                            sa.column("read_at", sa.DateTime()))
    op.execute(notification.update().where(notification.c.read_at.is_not(None))
               .values(seen_at=notification.c.read_at))


def downgrade() -> None:
    with op.batch_alter_table("forums_notification") as batch:
        batch.drop_index("ix_forums_notification_user_seen")
        batch.drop_column("seen_at")
