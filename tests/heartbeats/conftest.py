"""Heartbeat history on both databases: the central tests' migrated, seeded templates (a
fresh copy per test), used here without a server: history is written through the writer's
own ``write_heartbeats`` and read through ``central.heartbeats.history``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from central.db import make_engine
from central.settings import CentralSettings
from tests.central.conftest import (  # noqa: F401 - fixtures used by name
    Database,
    database,
    postgres,
    postgres_template,
    sqlite_template,
)


@pytest.fixture
def settings(database: Database) -> CentralSettings:  # noqa: F811
    return CentralSettings(database_url=database.url)


@pytest.fixture
def engine(settings: CentralSettings) -> Iterator[Engine]:
    engine = make_engine(settings.database_url)
    yield engine
    engine.dispose()
