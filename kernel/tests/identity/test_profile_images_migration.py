"""The migration k0010_profile_images adds the profile image columns (on every test database)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from kampus.db import Base
from kampus.db.migrate import alembic_config
from kampus.testing import make_user


def test_the_profile_table_matches_its_model(app) -> None:
    with app.app_context():
        with app.extensions["kampus"].db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = [d for d in compare_metadata(context, Base.metadata) if "kampus_user_profile" in repr(d)]
    assert differences == []


def test_k0010_keeps_existing_profiles_without_an_image(app) -> None:
    user = make_user(app)
    kampus = app.extensions["kampus"]
    config = alembic_config(kampus.pm)
    engine = kampus.db.engine
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "k0009_oauth2_restricted_clients")
        with engine.begin() as connection:
            columns = {c["name"] for c in sa.inspect(connection).get_columns("kampus_user_profile")}
            assert "profile_image_name" not in columns and "profile_image_uploaded_at" not in columns
            connection.execute(sa.text(
                "INSERT INTO kampus_user_profile (user_id, bio, country, state, gender, level_of_education, goals, "
                "mailing_address, phone_number, secondary_email, language_proficiencies, social_links, meta, "
                "modified) VALUES (:user, 'Hello', '', '', '', '', '', '', '', '', '[]', '{}', '{}', :at)"),
                {"user": user.id, "at": connection.execute(sa.select(sa.func.now())).scalar()})
    finally:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "heads")
    with engine.connect() as connection:
        row = connection.execute(sa.text(
            "SELECT bio, profile_image_name, profile_image_uploaded_at FROM kampus_user_profile WHERE user_id = :user"),
            {"user": user.id}).one()
    assert tuple(row) == ("Hello", "", None)
