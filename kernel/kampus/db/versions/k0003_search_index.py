"""kernel: the SQL search driver's index (documents, exact fields, per-database full text)

Revision ID: k0003_search_index
Revises: k0002_anonymous_user_id
Create Date: 2026-12-07

Full text per database: SQLite an FTS5 table over ``kampus_search_document.body`` (external
content, kept in step by triggers); PostgreSQL a generated ``tsvector`` column with a GIN index;
MariaDB/MySQL a ``FULLTEXT`` index, created with InnoDB's stop words off (every word is indexed).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

import kampus.db

revision = 'k0003_search_index'
down_revision = 'k0002_anonymous_user_id'
branch_labels = None
depends_on = None


def _exact(length: int) -> sa.types.TypeEngine:
    return sa.String(length=length).with_variant(mysql.VARCHAR(length, collation='utf8mb4_bin'), 'mysql')


def _long_text(binary: bool = False) -> sa.types.TypeEngine:
    variant = mysql.MEDIUMTEXT(collation='utf8mb4_bin') if binary else mysql.MEDIUMTEXT()
    return sa.Text().with_variant(variant, 'mysql')


def upgrade() -> None:
    op.create_table('kampus_search_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('index_name', _exact(64), nullable=False),
    sa.Column('doc_id', _exact(255), nullable=False),
    sa.Column('data', _long_text(), nullable=False),
    sa.Column('body', _long_text(binary=True), nullable=False),
    sa.Column('updated', kampus.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kampus_search_document')),
    sa.UniqueConstraint('index_name', 'doc_id', name=op.f('uq_kampus_search_document_index_name_doc_id'))
    )
    op.create_table('kampus_search_field',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('index_name', _exact(64), nullable=False),
    sa.Column('field', _exact(128), nullable=False),
    sa.Column('value', _exact(255), nullable=False),
    sa.Column('number', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['kampus_search_document.id'],
                            name=op.f('fk_kampus_search_field_document_id_kampus_search_document'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kampus_search_field'))
    )
    op.create_index('ix_kampus_search_field_document_id', 'kampus_search_field', ['document_id', 'field'])
    op.create_index('ix_kampus_search_field_value', 'kampus_search_field', ['index_name', 'field', 'value'])
    op.create_index('ix_kampus_search_field_number', 'kampus_search_field', ['index_name', 'field', 'number'])

    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        op.execute("CREATE VIRTUAL TABLE kampus_search_fts USING fts5("
                   "body, content='kampus_search_document', content_rowid='id', "
                   "tokenize='unicode61 remove_diacritics 0')")
        op.execute("CREATE TRIGGER kampus_search_fts_insert AFTER INSERT ON kampus_search_document BEGIN "
                   "INSERT INTO kampus_search_fts(rowid, body) VALUES (new.id, new.body); END")
        op.execute("CREATE TRIGGER kampus_search_fts_delete AFTER DELETE ON kampus_search_document BEGIN "
                   "INSERT INTO kampus_search_fts(kampus_search_fts, rowid, body) "
                   "VALUES ('delete', old.id, old.body); END")
        op.execute("CREATE TRIGGER kampus_search_fts_update AFTER UPDATE ON kampus_search_document BEGIN "
                   "INSERT INTO kampus_search_fts(kampus_search_fts, rowid, body) "
                   "VALUES ('delete', old.id, old.body); "
                   "INSERT INTO kampus_search_fts(rowid, body) VALUES (new.id, new.body); END")
    elif dialect == 'postgresql':
        op.execute("ALTER TABLE kampus_search_document ADD COLUMN tsv tsvector "
                   "GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED")
        op.execute("CREATE INDEX ix_kampus_search_document_tsv ON kampus_search_document USING gin (tsv)")
    elif dialect == 'mysql':
        op.execute("SET SESSION innodb_ft_enable_stopword = 0")
        op.execute("CREATE FULLTEXT INDEX ix_kampus_search_document_body ON kampus_search_document (body)")
        op.execute("SET SESSION innodb_ft_enable_stopword = 1")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        for trigger in ('insert', 'delete', 'update'):
            op.execute(f"DROP TRIGGER IF EXISTS kampus_search_fts_{trigger}")
        op.execute("DROP TABLE IF EXISTS kampus_search_fts")
    op.drop_table('kampus_search_field')
    op.drop_table('kampus_search_document')
