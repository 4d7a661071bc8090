"""The migration l0009_grade_overrides makes the tables the override and extension models describe (on every
test database)."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from kampus_lms.grades import models  # noqa: F401 - the models are in the metadata

from kampus.db import Base

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")
TABLES = ("lms_grades_subsection_override", "lms_grades_subsection_override_history", "lms_due_date_extension")


def test_override_and_extension_tables_match_their_models(app) -> None:
    with app.app_context():
        with app.extensions["kampus"].db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = [d for d in compare_metadata(context, Base.metadata)
                           if any(table in repr(d) for table in TABLES)]
    assert differences == []
