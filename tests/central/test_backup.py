"""`kiosk-central backup` and `restore` on SQLite, run as an operator runs them."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import psycopg
import pytest
import requests

from central.commands.backup import BackupFailed, backup
from tests.central.conftest import Template
from tests.support.central_server import serve_command
from tests.support.postgres import PostgresServer, clone_database

BIN = Path(sys.executable).parent


def central(*argv: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "kiosk-central"), *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def count(path: Path, table: str) -> int:
    with closing(sqlite3.connect(path)) as db:
        return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


@pytest.fixture
def database(env: dict[str, str], tmp_path: Path) -> Iterator[Path]:
    assert central("migrate", env=env).returncode == 0
    seeded = central("seed", "--residents", "12", env=env)
    assert seeded.returncode == 0, seeded.stderr
    yield tmp_path / "central.sqlite3"


def test_backup_while_serving_then_restore(
    database: Path, env: dict[str, str], tmp_path: Path
) -> None:
    copy = tmp_path / "backups" / "central-1.sqlite3"
    copy.parent.mkdir()
    with serve_command(env) as url:
        made = central("backup", str(copy), env=env)
        assert made.returncode == 0, made.stderr
        assert requests.get(f"{url}/healthz", timeout=5).status_code == 200
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    with closing(sqlite3.connect(copy)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert count(copy, "residents") == count(database, "residents") == 12

    token = central("token", "create", "--office", "35.10.03.2001", env=env)
    assert token.returncode == 0, token.stderr
    assert count(database, "enrollment_tokens") == 1

    put = central("restore", str(copy), env=env)
    assert put.returncode == 0, put.stderr
    assert count(database, "enrollment_tokens") == 0
    assert count(database, "residents") == 12
    kept = list(tmp_path.glob("central.sqlite3.before-restore-*"))
    assert len(kept) == 1 and f"kept at {kept[0]}" in put.stdout
    assert count(kept[0], "enrollment_tokens") == 1
    with serve_command(env) as url:
        assert requests.get(f"{url}/healthz", timeout=5).status_code == 200


def test_a_backup_during_writes_is_consistent(database: Path, tmp_path: Path) -> None:
    with closing(sqlite3.connect(database)) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE ledger (n INTEGER PRIMARY KEY, total INTEGER NOT NULL)")
        db.commit()
    stop = threading.Event()

    def write() -> None:
        with closing(sqlite3.connect(database, timeout=5)) as db:
            n = 0
            while not stop.is_set():
                n += 1
                with db:  # each row's total is the sum so far: a torn copy breaks the chain
                    db.execute(
                        "INSERT INTO ledger VALUES (?, ? + coalesce((SELECT total FROM ledger "
                        "WHERE n = ?), 0))",
                        (n, n, n - 1),
                    )

    writer = threading.Thread(target=write)
    writer.start()
    try:
        copies = [backup(f"sqlite:///{database}", tmp_path / f"copy-{i}") for i in range(5)]
    finally:
        stop.set()
        writer.join()
    for copy in copies:
        with closing(sqlite3.connect(copy)) as db:
            rows = db.execute("SELECT n, total FROM ledger ORDER BY n").fetchall()
        assert [n for n, _ in rows] == list(range(1, len(rows) + 1))
        assert all(total == n * (n + 1) // 2 for n, total in rows)
    assert count(copies[-1], "ledger") > 0


def test_an_existing_file_is_never_overwritten(
    database: Path, env: dict[str, str], tmp_path: Path
) -> None:
    mine = tmp_path / "notes.txt"
    mine.write_text("keep me\n")
    result = central("backup", str(mine), env=env)
    assert result.returncode == 1
    assert result.stderr == f"backup failed: {mine} exists already: choose another name\n"
    assert mine.read_text() == "keep me\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".notes")] == []


def test_restore_refuses_what_is_not_a_centre_backup(
    database: Path, env: dict[str, str], tmp_path: Path
) -> None:
    before = database.read_bytes()
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"x" * 4096)
    other = tmp_path / "other.sqlite3"
    with closing(sqlite3.connect(other)) as db:
        db.execute("CREATE TABLE t (x)")
    for source, says in ((junk, "is not a backup of the centre's database"),
                         (other, "is not a backup of the centre's database"),
                         (tmp_path / "missing", "there is no database at")):  # fmt: skip
        result = central("restore", str(source), env=env)
        assert result.returncode == 1
        assert says in result.stderr and "Traceback" not in result.stderr
    assert database.read_bytes() == before
    assert list(tmp_path.glob("*.before-restore-*")) == []


def test_postgresql_and_a_missing_database_are_explained(
    env: dict[str, str], tmp_path: Path
) -> None:
    result = central("backup", str(tmp_path / "b"), "--database-url",
                     "postgresql+psycopg://kiosk@db/central", env=env)  # fmt: skip
    assert result.returncode == 1
    assert "pg_dump" in result.stderr and "docs/install.md" in result.stderr
    with pytest.raises(BackupFailed, match="there is no database at"):
        backup(f"sqlite:///{tmp_path / 'none.sqlite3'}", tmp_path / "b")
    assert not (tmp_path / "none.sqlite3").exists()
    assert not (tmp_path / "b").exists()


@pytest.mark.postgres
def test_the_postgresql_procedure_in_install_md(
    postgres: PostgresServer, postgres_template: Template, tmp_path: Path
) -> None:
    """docs/install.md's pg_dump / createdb / pg_restore / migrate, step by step."""
    source_url = clone_database(postgres, postgres_template.url)
    source = source_url.rsplit("/", 1)[1]
    restored = f"r_{source}"
    dump = tmp_path / "central.dump"
    server = ["--host=127.0.0.1", f"--port={postgres.port}", f"--username={postgres.user}"]

    def step(program: str, *argv: str) -> None:
        done = subprocess.run(
            [str(postgres.bin / program), *server, *argv],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr

    step("pg_dump", "--format=custom", f"--file={dump}", source)
    step("createdb", restored)
    step("pg_restore", f"--dbname={restored}", "--no-owner", str(dump))
    restored_url = source_url.rsplit("/", 1)[0] + f"/{restored}"
    migrated = central("migrate", "--database-url", restored_url, env=dict(os.environ))
    assert migrated.returncode == 0, migrated.stderr

    def residents(url: str) -> int:
        dsn = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(dsn) as db:
            row = db.execute("SELECT count(*) FROM residents").fetchone()
        assert row is not None
        return int(row[0])

    assert residents(restored_url) == residents(source_url) >= len(postgres_template.people) > 0
