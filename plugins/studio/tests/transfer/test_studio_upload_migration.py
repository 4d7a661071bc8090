"""The migration s0001_studio makes the table the model describes (on every test database)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from kampus.db import Base


def test_studio_upload_table_matches_its_model(app) -> None:
    with app.app_context():
        with app.extensions["kampus"].db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = [d for d in compare_metadata(context, Base.metadata) if "studio_upload" in repr(d)]
    assert differences == []
