"""`kiosk-central backup FILE` and `restore FILE` for the SQLite database.

A backup is taken with SQLite's online backup API, so it is a consistent copy even while the
server writes (WAL mode). It is a single self-contained file, readable by its owner only
(mode 0600: it holds residents' data), and an existing file is never overwritten. A restore
checks the file first (an SQLite database of the centre that passes its integrity check) and
keeps the database it replaces beside it, so a wrong restore can itself be undone.

PostgreSQL is backed up with its own tools (pg_dump, pg_restore); docs/install.md has the
procedure, and these commands say so instead of guessing.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from central.settings import CentralSettings

PRIVATE_MODE = 0o600
# Every centre database has it (alembic's revision); a file without it is something else.
SCHEMA_TABLE = "alembic_version"
# Pages copied per step: small steps let the server's writers in between.
PAGES_PER_STEP = 1024


class BackupFailed(Exception):
    """The backup or restore was not done; the message says why and what to do."""


def sqlite_path(database_url: str) -> Path:
    """The database file of an SQLite URL; anything else is refused with what to do instead."""
    from sqlalchemy.engine import make_url  # kiosk-central starts without SQLAlchemy
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(database_url)
    except ArgumentError as err:
        raise BackupFailed(f"the database URL is not valid: {database_url!r}") from err
    if url.get_backend_name() == "postgresql":
        raise BackupFailed(
            "the centre uses PostgreSQL: back it up with pg_dump and restore with pg_restore "
            "(docs/install.md, 'Backups')"
        )
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise BackupFailed(f"backup works on an SQLite database file, not {url.drivername}")
    return Path(url.database)


def _open_readonly(path: Path) -> sqlite3.Connection:
    """Opened without creating it: a missing file is an error, not a new empty database."""
    if not path.is_file():
        raise BackupFailed(f"there is no database at {path}")
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _copy(source: sqlite3.Connection, target: Path) -> None:
    """``source`` into a new private file at ``target`` (refused if it exists), as a single
    rollback-journal file, made durable before it gets its name."""
    temporary = target.with_name(f".{target.name}.tmp{os.getpid()}")
    try:
        os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE))
        with closing(sqlite3.connect(temporary)) as copy:
            source.backup(copy, pages=PAGES_PER_STEP)
            copy.execute("PRAGMA journal_mode=DELETE")
        with open(temporary, "rb") as handle:
            os.fsync(handle.fileno())
        os.link(temporary, target)
    except FileExistsError as err:
        raise BackupFailed(f"{target} exists already: choose another name") from err
    except (OSError, sqlite3.Error) as err:
        raise BackupFailed(f"cannot write {target}: {err}") from err
    finally:
        temporary.unlink(missing_ok=True)


def backup(database_url: str, target: Path) -> Path:
    """A consistent copy of the running centre's SQLite database at ``target`` (mode 0600)."""
    path = sqlite_path(database_url)
    try:
        with closing(_open_readonly(path)) as source:
            _copy(source, target)
    except sqlite3.Error as err:
        raise BackupFailed(f"cannot read the database at {path}: {err}") from err
    return target


def check_backup(source: Path) -> str:
    """The schema revision of a usable centre backup; a file that is not one is refused."""
    try:
        with closing(_open_readonly(source)) as db:
            (verdict,) = db.execute("PRAGMA integrity_check").fetchone()
            if verdict != "ok":
                raise BackupFailed(f"{source} is damaged ({verdict}): use another backup")
            row = db.execute(f"SELECT version_num FROM {SCHEMA_TABLE}").fetchone()  # noqa: S608
    except sqlite3.DatabaseError as err:
        raise BackupFailed(f"{source} is not a backup of the centre's database ({err})") from err
    if row is None:
        raise BackupFailed(f"{source} has no schema revision: not a centre backup")
    return str(row[0])


def restore(database_url: str, source: Path, now: datetime) -> Path | None:
    """Put the backup ``source`` in place of the configured database; the replaced database is
    kept as ``<name>.before-restore-<time>`` (returned; None when there was none)."""
    path = sqlite_path(database_url)
    check_backup(source)
    kept: Path | None = None
    if path.exists():
        kept = path.with_name(f"{path.name}.before-restore-{now:%Y%m%dT%H%M%S}")
        backup(database_url, kept)
    try:
        with closing(_open_readonly(source)) as backup_db, closing(sqlite3.connect(path)) as live:
            backup_db.backup(live, pages=PAGES_PER_STEP)
        path.chmod(PRIVATE_MODE)
    except (OSError, sqlite3.Error) as err:
        kept_note = f"; the database before is kept at {kept}" if kept else ""
        raise BackupFailed(f"cannot restore into {path}: {err}{kept_note}") from err
    return kept


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    settings_of: Callable[[argparse.Namespace], CentralSettings],
) -> None:
    """Add ``backup`` and ``restore`` to `kiosk-central` (its --config-dir/--database-url)."""

    def run_backup(args: argparse.Namespace) -> int:
        try:
            done = backup(settings_of(args).database_url, args.file)
        except BackupFailed as err:
            sys.stderr.write(f"backup failed: {err}\n")
            return 1
        sys.stdout.write(f"backup written to {done} (mode 0600)\n")
        return 0

    def run_restore(args: argparse.Namespace) -> int:
        try:
            kept = restore(settings_of(args).database_url, args.file, datetime.now(UTC))
        except BackupFailed as err:
            sys.stderr.write(f"restore failed: {err}\n")
            return 1
        note = f"; the database it replaced is kept at {kept}" if kept else ""
        sys.stdout.write(
            f"restored from {args.file}{note}. Run 'kiosk-central migrate' before serving.\n"
        )
        return 0

    made = sub.add_parser(
        "backup",
        parents=[common],
        help="copy the SQLite database consistently, even while the server runs",
        description="Writes a consistent copy of the centre's SQLite database to FILE (mode "
        "0600; an existing FILE is refused) using SQLite's online backup, safe while the "
        "server runs. PostgreSQL: use pg_dump (docs/install.md). Exit 1 on failure.",
    )
    made.add_argument("file", type=Path, metavar="FILE", help="where to write the backup")
    made.set_defaults(handler=run_backup)
    put = sub.add_parser(
        "restore",
        parents=[common],
        help="replace the SQLite database with a backup (stop the server first)",
        description="Checks FILE (a centre database that passes SQLite's integrity check), "
        "keeps the current database as <name>.before-restore-<time>, and copies FILE in its "
        "place. Stop the server first; run 'kiosk-central migrate' after. Exit 1 on failure.",
    )
    put.add_argument("file", type=Path, metavar="FILE", help="the backup to restore")
    put.set_defaults(handler=run_restore)
