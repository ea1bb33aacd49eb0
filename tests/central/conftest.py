"""Every central API test runs twice: on SQLite (the default) and on a real PostgreSQL.

Each backend is migrated and seeded once per session into a template; every test gets a fresh
copy of it (a file copy, or CREATE DATABASE … TEMPLATE), so tests never see each other's data.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from central.seeding.seed import DemoIdentity
from central.settings import CentralSettings
from tests.support.central_server import CentralServer, EnrolledKiosk, prepare_database
from tests.support.postgres import PostgresServer, clone_database


@dataclass(frozen=True)
class Template:
    url: str
    people: list[DemoIdentity]


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    url = f"sqlite:///{tmp_path_factory.mktemp('template') / 'central.sqlite3'}"
    return Template(url, prepare_database(url))


@pytest.fixture(scope="session")
def postgres_template(postgres: PostgresServer) -> Template:
    url = postgres.new_database()
    return Template(url, prepare_database(url))


@dataclass(frozen=True)
class Database:
    url: str
    people: list[DemoIdentity]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    if request.param == "sqlite":
        template: Template = request.getfixturevalue("sqlite_template")
        source = Path(template.url.removeprefix("sqlite:///"))
        target = tmp_path / "central.sqlite3"
        shutil.copyfile(source, target)
        return Database(f"sqlite:///{target}", template.people)
    template = request.getfixturevalue("postgres_template")
    server: PostgresServer = request.getfixturevalue("postgres")
    return Database(clone_database(server, template.url), template.people)


@pytest.fixture
def demo_people(database: Database) -> list[DemoIdentity]:
    return database.people


@pytest.fixture
def settings(database: Database) -> CentralSettings:
    return CentralSettings(database_url=database.url)


@pytest.fixture
def central(settings: CentralSettings) -> Iterator[CentralServer]:
    server = CentralServer(settings).start()
    yield server
    server.stop()


@pytest.fixture
def kiosk(central: CentralServer) -> EnrolledKiosk:
    return central.enroll()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The environment of a technician's shell: a kiosk config dir and a central SQLite file."""
    config = tmp_path / "etc"
    config.mkdir()
    (config / "kiosk.toml").write_text(
        f'[kiosk]\nstate_dir = "{tmp_path / "state"}"\n'
        f'[identity]\nkey_file = "{tmp_path / "state" / "identity" / "kiosk.key"}"\n'
    )
    return {
        **os.environ,
        "ANJUNGAN_CONFIG_DIR": str(config),
        "ANJUNGAN_CENTRAL_DATABASE_URL": f"sqlite:///{tmp_path / 'central.sqlite3'}",
    }
