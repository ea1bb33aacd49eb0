"""The centre's SQLite database holds NIKs, names, PIN hashes, scans and its secret: the file,
its WAL and the folder made for it are readable by their owner only, whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from central.db import make_engine
from central.migrate import upgrade


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    previous = os.umask(0o022)  # the usual default: files 0644, folders 0755
    yield
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("permissive_umask")
def test_a_new_database_its_wal_and_its_folder_are_private(tmp_path: Path) -> None:
    database = tmp_path / "made" / "for-it" / "central.sqlite3"
    upgrade(f"sqlite:///{database}")
    engine = make_engine(f"sqlite:///{database}")
    try:
        with engine.begin() as connection:  # open: the WAL and its index exist meanwhile
            connection.exec_driver_sql("CREATE TABLE probe (x INTEGER)")
            files = [database.with_name(f"central.sqlite3{end}") for end in ("", "-wal", "-shm")]
            assert all(path.exists() for path in files)
            assert [_mode(path) for path in files] == [0o600] * 3
    finally:
        engine.dispose()
    assert _mode(database.parent) == 0o700
    assert _mode(database.parent.parent) == 0o700


@pytest.mark.usefixtures("permissive_umask")
def test_an_existing_folder_keeps_its_mode(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    upgrade(f"sqlite:///{folder / 'central.sqlite3'}")
    assert _mode(folder) == 0o755
    assert _mode(folder / "central.sqlite3") == 0o600
