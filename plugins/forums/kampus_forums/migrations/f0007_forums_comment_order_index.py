"""forums: an index that gives a thread's responses (and a response's comments) in the order pages show them

A page of a discussion thread's responses filters on the thread and "no parent" and sorts by creation time:
the index on (thread, parent, endorsed, time) serves only a question's filtered lists, so every other page
sorted all the thread's responses, full rows, to return ten (MariaDB's "Using filesort"). This index reads
the page's rows in order and stops.

Revision ID: f0007_forums_comment_order_index
Revises: f0006_forums_course_notif_prefs
Create Date: 2026-12-07
"""

from alembic import op

revision = "f0007_forums_comment_order_index"
down_revision = "f0006_forums_course_notif_prefs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_forums_comment_thread_parent_time", "forums_comment",
                    ["thread_id", "parent_id", "created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_forums_comment_thread_parent_time", table_name="forums_comment")
