"""The migration f0001_forums makes the tables the forums' models describe (on every test database)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from kampus_forums import models  # noqa: F401 - the models are in the metadata

from kampus.db import Base
from kampus.db.migrate import alembic_config
from kampus.testing import make_user


def test_forums_tables_match_their_models(app) -> None:
    with app.app_context():
        with app.extensions["kampus"].db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = [d for d in compare_metadata(context, Base.metadata) if "forums_" in repr(d)]
    assert differences == []


def test_f0004_counts_read_notifications_as_seen(app) -> None:
    """Upgrading to f0004: a notification read before has been seen then; an unread one is unseen."""
    user = make_user(app)
    kampus = app.extensions["kampus"]
    config = alembic_config(kampus.pm)
    engine = kampus.db.engine
    insert = sa.text("INSERT INTO forums_notification (user_id, course_id, kind, data, created_at, read_at) "
                     "VALUES (:user, 'course-v1:A+B+C', 'endorsement', '{}', :at, :read)")
    at = sa.func.now()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "f0003_forums_rendered_body")
        with engine.begin() as connection:
            assert "seen_at" not in {c["name"] for c in sa.inspect(connection).get_columns("forums_notification")}
            when = connection.execute(sa.select(at)).scalar()
            connection.execute(insert, {"user": user.id, "at": when, "read": when})
            connection.execute(insert, {"user": user.id, "at": when, "read": None})
    finally:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "heads")
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT read_at, seen_at FROM forums_notification ORDER BY id")).all()
    assert [(read is None, seen is None) for read, seen in rows] == [(False, False), (True, True)]
    assert rows[0][0] == rows[0][1]
