"""forums: an index on comments' parent, for a response's comments (the children of a page of responses)

Revision ID: f0004_forums_comment_parent
Revises: f0003_forums_rendered_body
Create Date: 2026-12-06
"""

from alembic import op

revision = "f0004_forums_comment_parent"
down_revision = "f0003_forums_rendered_body"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_forums_comment_parent", "forums_comment", ["parent_id", "created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_forums_comment_parent", table_name="forums_comment")
