"""The migrations l0008_cohorts and l0010_cohort_settings_id make the tables the cohorts models describe (on
every test database); l0010 keeps the settings made before it, each under a new integer id."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from kampus_lms.cohorts import models  # noqa: F401 - the models are in the metadata

from kampus.db import Base
from kampus.db.migrate import alembic_config

TABLES = ("lms_cohort", "lms_course_cohort_settings")


def test_cohort_tables_match_their_models(app) -> None:
    with app.app_context():
        with app.extensions["kampus"].db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = [d for d in compare_metadata(context, Base.metadata)
                           if any(table in repr(d) for table in TABLES)]
    assert differences == []


def test_l0010_keeps_earlier_settings_under_integer_ids(app) -> None:
    kampus = app.extensions["kampus"]
    config = alembic_config(kampus.pm)
    engine = kampus.db.engine
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "l0009_grade_overrides")
        with engine.begin() as connection:
            assert "lms_course_cohort_settings" not in sa.inspect(connection).get_table_names()
            now = connection.execute(sa.select(sa.func.now())).scalar()
            for course, cohorted in (("course-v1:A+B+C", True), ("course-v1:A+B+D", False)):
                connection.execute(sa.text(
                    "INSERT INTO lms_cohort_settings (course_id, is_cohorted, modified) VALUES (:c, :on, :at)"),
                    {"c": course, "on": cohorted, "at": now})
    finally:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "heads")
    with engine.connect() as connection:
        assert "lms_cohort_settings" not in sa.inspect(connection).get_table_names()
        rows = connection.execute(sa.text(
            "SELECT id, course_id, is_cohorted FROM lms_course_cohort_settings ORDER BY course_id")).all()
    assert [(row[1], bool(row[2])) for row in rows] == [("course-v1:A+B+C", True), ("course-v1:A+B+D", False)]
    assert all(isinstance(row[0], int) for row in rows) and rows[0][0] != rows[1][0]
