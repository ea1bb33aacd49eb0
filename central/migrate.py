"""Schema migrations with Alembic, driven from code so no alembic.ini has to be found."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", "central:migrations")
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def is_current(engine: Engine, database_url: str) -> bool:
    """Whether the database is at the newest revision (serve refuses to start otherwise)."""
    heads = set(ScriptDirectory.from_config(alembic_config(database_url)).get_heads())
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads()) == heads
