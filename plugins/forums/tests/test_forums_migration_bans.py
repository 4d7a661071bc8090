"""The migration f0005_forums_org_bans: restrictions made before it are course bans and mutes."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from kampus.db.migrate import alembic_config
from kampus.testing import make_user


def test_f0005_keeps_earlier_restrictions_in_their_course(app) -> None:
    user = make_user(app)
    kampus = app.extensions["kampus"]
    config = alembic_config(kampus.pm)
    engine = kampus.db.engine
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "f0004_forums_notification_seen")
        with engine.begin() as connection:
            columns = {c["name"] for c in sa.inspect(connection).get_columns("forums_restriction")}
            assert "scope" not in columns and "org" not in columns
            assert "forums_restriction_exception" not in sa.inspect(connection).get_table_names()
            now = connection.execute(sa.select(sa.func.now())).scalar()
            connection.execute(sa.text(
                "INSERT INTO forums_restriction (course_id, user_id, kind, reason, created_at) "
                "VALUES ('course-v1:A+B+C', :user, 'ban', 'spam', :at)"), {"user": user.id, "at": now})
    finally:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "heads")
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT course_id, scope, org FROM forums_restriction")).all()
        assert [tuple(row) for row in rows] == [("course-v1:A+B+C", "course", "")]
        assert "forums_restriction_exception" in sa.inspect(connection).get_table_names()
