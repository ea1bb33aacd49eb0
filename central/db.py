"""Engine and session set-up: SQLite in WAL mode by default, PostgreSQL by URL."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers run beside the one writer; NORMAL sync is durable across app crashes."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class EncodedJSON(str):
    """JSON text that is already encoded (by pydantic, for instance), written to a JSON
    column as it is: the heartbeat payload goes into two tables, encoded once."""


def _json_serializer(value: Any) -> str:
    return value if isinstance(value, EncodedJSON) else json.dumps(value)


PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def create_private_file(path: Path) -> None:
    """The SQLite file holds NIKs, names, PIN hashes, scans and the identifier-hash secret:
    when it does not exist yet, it is made readable by its owner only (and every folder
    made for it too), before SQLite opens it. SQLite gives its -wal and -shm files the
    database file's mode. An existing file or folder keeps its mode: not ours to change."""
    missing = [folder for folder in path.parents if not folder.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE))


def make_engine(url: str) -> Engine:
    """``hide_parameters``: a database error's message never carries the row's values, so a
    logged failure cannot leak a NIK, a name or an answer (UU PDP)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            create_private_file(Path(parsed.database))
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 5},
            pool_size=20,
            json_serializer=_json_serializer,
            hide_parameters=True,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(
        url,
        pool_size=20,
        max_overflow=10,
        pool_pre_ping=True,
        json_serializer=_json_serializer,
        hide_parameters=True,
    )


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session
