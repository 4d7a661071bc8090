"""forums: an index that counts a course's (or a topic's) live threads per group without reading the table

Revision ID: f0002_forums_thread_live
Revises: f0001_forums
Create Date: 2026-12-06
"""

from alembic import op

revision = "f0002_forums_thread_live"
down_revision = "f0001_forums"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_forums_thread_live", "forums_thread",
                    ["course_id", "commentable_id", "group_id", "deleted_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_forums_thread_live", table_name="forums_thread")
