"""The migration f0001_forums makes the tables the forums' models describe (on every test database)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from kampus_forums import models  # noqa: F401 - the models are in the metadata

from kampus.db import Base


def test_forums_tables_match_their_models(app) -> None:
    with app.app_context():
        with app.extensions["kampus"].db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = [d for d in compare_metadata(context, Base.metadata) if "forums_" in repr(d)]
    assert differences == []
