"""forums: posts keep their body rendered to safe HTML when saved (``rendered_body``)

Rows written before keep ``NULL``: they are rendered when shown, as before. When the rendering rules change,
a migration sets the column back to ``NULL`` so that every post is rendered again by the new rules.

Revision ID: f0003_forums_rendered_body
Revises: f0002_forums_thread_live
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from alembic import op

#: MySQL/MariaDB's TEXT holds 64 KiB, too little for a 100,000-character post in UTF-8.
POST_TEXT = sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql")

revision = "f0003_forums_rendered_body"
down_revision = "f0002_forums_thread_live"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("forums_thread") as batch:
        batch.add_column(sa.Column("rendered_body", POST_TEXT, nullable=True))
    with op.batch_alter_table("forums_comment") as batch:
        batch.add_column(sa.Column("rendered_body", POST_TEXT, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("forums_comment") as batch:
        batch.drop_column("rendered_body")
    with op.batch_alter_table("forums_thread") as batch:
        batch.drop_column("rendered_body")
