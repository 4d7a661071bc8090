"""Schema migrations with Alembic, one version location per plugin.

``kampus migrate`` upgrades every branch (the kernel's and each enabled
plugin's) to its head; running it again changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from kampus.plugins import flatten

if TYPE_CHECKING:
    import pluggy

    from kampus.db import Database

ENV_DIR = Path(__file__).parent / "alembic"


def alembic_config(pm: pluggy.PluginManager) -> Config:
    """An Alembic config whose version locations are those of every plugin."""
    locations = flatten(pm.hook.kampus_migration_locations())
    config = Config()
    config.set_main_option("script_location", str(ENV_DIR))
    config.set_main_option("version_locations", " ".join(locations))
    config.set_main_option("path_separator", "space")
    return config


def upgrade(db: Database, pm: pluggy.PluginManager) -> list[str]:
    """Upgrade the database to the heads of every enabled branch.

    Returns the revisions it applied (empty when it was up to date). Runs in one
    transaction where the database supports transactional DDL.
    """
    config = alembic_config(pm)
    script = ScriptDirectory.from_config(config)
    before = applied_revisions(db, script)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
    return sorted(applied_revisions(db, script) - before)


def current_heads(db: Database) -> list[str]:
    """Revisions the database is at."""
    with db.engine.connect() as connection:
        return list(MigrationContext.configure(connection).get_current_heads())


def pending(db: Database, pm: pluggy.PluginManager) -> bool:
    """True when some enabled branch is not at its head."""
    script = ScriptDirectory.from_config(alembic_config(pm))
    return not set(script.get_heads()) <= applied_revisions(db, script)


def applied_revisions(db: Database, script: ScriptDirectory) -> set[str]:
    """Every revision the database has, with the ancestors and dependencies of its heads.

    The version table keeps only heads: a plugin revision that ``depends_on``
    a kernel revision stands for both, so comparing heads alone is not enough.
    """
    heads = set(current_heads(db))
    known = {revision.revision for revision in script.walk_revisions()}
    applied = heads - known  # revisions of plugins no longer enabled stay as they are
    if heads & known:
        applied |= {revision.revision for revision in script.iterate_revisions(tuple(heads & known), "base")}
    return applied
