"""The migration i0001_instructor makes the tables the bulk e-mail models describe (on every test database)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from kampus_instructor.bulk_email import models  # noqa: F401 - the models are in the metadata

from kampus.db import Base


def test_bulk_email_tables_match_their_models(app) -> None:
    with app.app_context():
        with app.extensions["kampus"].db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = [d for d in compare_metadata(context, Base.metadata)
                           if "instructor_bulk_email" in repr(d)]
    assert differences == []
