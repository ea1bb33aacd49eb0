"""The outbox's SQLite file: WAL mode, sealed payloads, plain columns for scheduling only.

Two connections, on purpose. Enqueue commits with ``synchronous=FULL``: a submission must be
on disk before its receipt prints, even across a power cut. Everything the sender writes
(confirmations, retry times, dead letters) uses ``NORMAL``: in WAL mode that survives any
process crash, and after a power cut the worst case is a confirmed item sent once more, which
the centre answers from its idempotency record, so it never becomes a duplicate. The next FULL
commit also makes every earlier NORMAL commit durable (the WAL is fsynced up to its end).

``secure_delete`` is on: the key sits on the same disk, so sent items' ciphertext is
overwritten rather than left in free pages.

``seq`` is AUTOINCREMENT so it is the enqueue order for the file's whole life: a plain rowid
would restart at 1 once the queue empties.

Plain columns hold only what scheduling needs (random reference, kind, times, counters, a
reason code); nothing personal.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import struct
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from kiosk.outbox.items import Attachment, DeadLetter, OutboxItem
from kiosk.outbox.seal import OutboxSealError, Sealer, associated_data

BUSY_TIMEOUT_S = 5.0

_SCHEMA_V1 = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS items (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    local_ref TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    lane TEXT NOT NULL,
    created_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    last_error TEXT,
    attachment_count INTEGER NOT NULL,
    sealed_payload BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS items_by_lane ON items (lane, seq);
CREATE TABLE IF NOT EXISTS attachments (
    local_ref TEXT NOT NULL,
    position INTEGER NOT NULL,
    sealed BLOB NOT NULL,
    PRIMARY KEY (local_ref, position)
);
CREATE TABLE IF NOT EXISTS dead_letters (
    seq INTEGER PRIMARY KEY,
    local_ref TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    lane TEXT NOT NULL,
    created_at REAL NOT NULL,
    attempts INTEGER NOT NULL,
    reason TEXT NOT NULL,
    dead_at REAL NOT NULL,
    attachment_count INTEGER NOT NULL,
    sealed_payload BLOB NOT NULL
);
"""

MIGRATIONS: tuple[str, ...] = (_SCHEMA_V1,)
"""``MIGRATIONS[n]`` takes a file from schema ``n`` (``PRAGMA user_version``) to ``n + 1``.
A new schema is a new script at the end, never an edit of an old one: a kiosk may come back
from months offline with an old file and undelivered items in it."""

SCHEMA_VERSION = len(MIGRATIONS)

_Row = sqlite3.Row  # columns read by name, values checked where it matters
_Statement = tuple[str, tuple[object, ...]]  # SQL and its parameters
_ITEM_COLUMNS = (
    "seq, local_ref, kind, created_at, attempts, next_attempt_at, last_error, "
    "attachment_count, sealed_payload"
)


class OutboxError(Exception):
    """The outbox cannot do what was asked; the message says why (never personal data)."""


class OutboxKeyMismatch(OutboxError):
    """The file was written under another kiosk key (re-enrolled, or the wrong file)."""


class DuplicateLocalRef(OutboxError):
    """An item with this local_ref is already queued or dead-lettered."""


class CorruptItem(OutboxError):
    """One row does not decrypt (tampered or damaged); the sender dead-letters it."""

    def __init__(self, local_ref: str, kind: str) -> None:
        super().__init__(f"outbox item {local_ref} ({kind}) does not decrypt")
        self.local_ref = local_ref
        self.kind = kind


def _connect(path: Path, synchronous: str) -> sqlite3.Connection:
    conn = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
    )
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.execute("PRAGMA secure_delete=ON")
    conn.row_factory = sqlite3.Row
    return conn


@contextlib.contextmanager
def _transaction(
    lock: threading.Lock, conn: sqlite3.Connection | None, failure: str
) -> Iterator[sqlite3.Connection]:
    """One ``BEGIN IMMEDIATE`` … ``COMMIT`` under the connection's lock, rolled back on any
    exception; SQLite errors become ``OutboxError(failure: …)``. ``IMMEDIATE`` takes the write
    lock at the start, so two writers queue on the busy timeout instead of one failing at
    commit with ``SQLITE_BUSY``."""
    with lock:
        if conn is None:
            raise OutboxError("the outbox is closed")
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as err:
            raise OutboxError(f"{failure}: {err}") from err


def _create_private_file(path: Path) -> None:
    """The file exists with mode 0600 before SQLite opens it (SQLite gives -wal/-shm the
    same mode)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _pack(header: Mapping[str, str], data: bytes) -> bytes:
    """A sealed record's plaintext: a length-prefixed JSON header, then the raw bytes."""
    encoded = json.dumps(dict(header)).encode()
    return struct.pack(">I", len(encoded)) + encoded + data


def _unpack(raw: bytes) -> tuple[dict[str, str], bytes]:
    (length,) = struct.unpack(">I", raw[:4])
    header = json.loads(raw[4 : 4 + length])
    if not isinstance(header, dict) or not all(isinstance(v, str) for v in header.values()):
        raise ValueError("sealed record header is not a string map")
    return header, raw[4 + length :]


class OutboxStore:
    """Thread-safe: each connection is used under its own lock."""

    def __init__(self, path: Path, sealer: Sealer) -> None:
        self.path = path
        self._sealer = sealer
        self._enqueue_lock = threading.Lock()
        self._work_lock = threading.Lock()
        self._enqueue_conn: sqlite3.Connection | None = None
        self._work_conn: sqlite3.Connection | None = None
        try:
            _create_private_file(path)
            self._enqueue_conn = _connect(path, "FULL")
            self._work_conn = _connect(path, "NORMAL")
        except (OSError, sqlite3.Error) as err:
            self.close()
            raise OutboxError(f"cannot open the outbox at {path}: {err}") from err
        try:
            self._prepare()
        except BaseException:
            self.close()
            raise

    def _prepare(self) -> None:
        """Bring the file to ``SCHEMA_VERSION`` one migration at a time and check its key."""
        failure = f"the outbox at {self.path} is unusable"
        with _transaction(self._enqueue_lock, self._enqueue_conn, failure) as conn:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise OutboxError(
                    f"the outbox at {self.path} has schema {version}, newer than this "
                    f"software ({SCHEMA_VERSION}): upgrade the kiosk software"
                )
            for step in range(version, SCHEMA_VERSION):
                for statement in _statements(MIGRATIONS[step]):
                    conn.execute(statement)
            # user_version is part of the database header, so it commits with the migration.
            conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            row = conn.execute("SELECT value FROM meta WHERE name = 'key_check'").fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO meta (name, value) VALUES ('key_check', ?)",
                    (self._sealer.key_check(),),
                )
            elif not self._sealer.matches(bytes(row["value"])):
                raise OutboxKeyMismatch(
                    f"the outbox at {self.path} was sealed under another kiosk key "
                    "(was the kiosk re-enrolled?): its items cannot be read with this key"
                )

    def close(self) -> None:
        with self._enqueue_lock:
            if self._enqueue_conn is not None:
                self._enqueue_conn.close()
                self._enqueue_conn = None
        with self._work_lock:
            if self._work_conn is not None:
                self._work_conn.close()
                self._work_conn = None

    # ------------------------------------------------------------------ writes

    def add(
        self,
        *,
        local_ref: str,
        kind: str,
        lane: str,
        body: bytes,
        headers: Mapping[str, str],
        attachments: Sequence[Attachment],
        now: float,
    ) -> int:
        """Commit one item durably (FULL); returns its sequence number (enqueue order).
        ``headers`` (a resident's submission grant…) are sealed with the body."""
        sealed = self._sealer.seal(_pack(headers, body), associated_data(local_ref, kind))
        sealed_attachments = [
            (
                local_ref,
                position,
                self._sealer.seal(
                    _pack(
                        {"name": attachment.name, "type": attachment.content_type},
                        attachment.data,
                    ),
                    associated_data(local_ref, kind, f"attachment:{position}"),
                ),
            )
            for position, attachment in enumerate(attachments)
        ]
        failure = "could not store the submission in the outbox"
        with _transaction(self._enqueue_lock, self._enqueue_conn, failure) as conn:
            try:
                cursor = conn.execute(
                    "INSERT INTO items (local_ref, kind, lane, created_at, next_attempt_at, "
                    "attachment_count, sealed_payload) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (local_ref, kind, lane, now, now, len(attachments), sealed),
                )
                conn.executemany(
                    "INSERT INTO attachments (local_ref, position, sealed) VALUES (?, ?, ?)",
                    sealed_attachments,
                )
            except sqlite3.IntegrityError:
                raise DuplicateLocalRef(f"local_ref {local_ref} is already queued") from None
            duplicate = conn.execute(
                "SELECT 1 FROM dead_letters WHERE local_ref = ?", (local_ref,)
            ).fetchone()
            if duplicate is not None:
                raise DuplicateLocalRef(f"local_ref {local_ref} is already dead-lettered")
        seq = cursor.lastrowid
        assert seq is not None
        return seq

    def confirm(self, local_ref: str) -> None:
        """The centre has it: forget the item and its attachments."""
        self._write(*_forget(local_ref))

    def settle(
        self, delivered: Sequence[str], dead: Sequence[tuple[str, str, int]], now: float
    ) -> None:
        """One delivery round's outcome in one transaction (a batch of 50 is one WAL commit,
        not 50): ``delivered`` local_refs are forgotten, ``dead`` ``(local_ref, reason,
        attempts)`` are moved to the dead letters."""
        statements = [sql for local_ref in delivered for sql in _forget(local_ref)]
        for local_ref, reason, attempts in dead:
            statements += _bury(local_ref, reason, attempts, now)
        if statements:
            self._write(*statements)

    def record_failure(
        self, local_ref: str, attempts: int, next_attempt_at: float, reason: str
    ) -> None:
        self._write(
            (
                "UPDATE items SET attempts = ?, next_attempt_at = ?, last_error = ? "
                "WHERE local_ref = ?",
                (attempts, next_attempt_at, reason, local_ref),
            ),
        )

    def dead_letter(self, local_ref: str, reason: str, attempts: int, now: float) -> None:
        """Move the item (still sealed, attachments kept) to the dead-letter table."""
        self._write(*_bury(local_ref, reason, attempts, now))

    def requeue_dead(self, local_ref: str, now: float) -> bool:
        """Put a dead letter back at the end of its lane (after the cause was fixed)."""
        failure = f"could not requeue {local_ref}"
        with _transaction(self._work_lock, self._work_conn, failure) as conn:
            moved = conn.execute(
                "INSERT INTO items (local_ref, kind, lane, created_at, attempts, "
                "next_attempt_at, attachment_count, sealed_payload) "
                "SELECT local_ref, kind, lane, created_at, 0, ?, attachment_count, "
                "sealed_payload FROM dead_letters WHERE local_ref = ?",
                (now, local_ref),
            ).rowcount
            conn.execute("DELETE FROM dead_letters WHERE local_ref = ?", (local_ref,))
        return moved == 1

    def _write(self, *statements: _Statement) -> None:
        with _transaction(self._work_lock, self._work_conn, "outbox write failed") as conn:
            for sql, params in statements:
                conn.execute(sql, params)

    # ------------------------------------------------------------------ reads

    def head(self, lane: str) -> OutboxItem | None:
        """The oldest item of a lane, decrypted; ``CorruptItem`` if it does not open."""
        found = self.heads(lane, 1)
        return found[0] if found else None

    def heads(self, lane: str, limit: int) -> list[OutboxItem]:
        """Up to ``limit`` oldest items of a lane, decrypted, in order. ``CorruptItem`` if
        the first does not open; a later one that does not open ends the list before it (it
        is the head, and is dead-lettered, once the items ahead of it are settled)."""
        found = self._read_items(
            f"SELECT {_ITEM_COLUMNS} FROM items WHERE lane = ? ORDER BY seq LIMIT ?",  # noqa: S608
            (lane, limit),
        )
        items: list[OutboxItem] = []
        for row, attachment_rows in found:
            try:
                items.append(self._decrypt(row, attachment_rows))
            except CorruptItem:
                if not items:
                    raise
                break
        return items

    def items(self, batch: int = 500) -> Iterator[OutboxItem]:
        """Every queued item in enqueue order, decrypted (CorruptItem on a bad row)."""
        after = -1
        while True:
            found = self._read_items(
                f"SELECT {_ITEM_COLUMNS} FROM items WHERE seq > ? ORDER BY seq LIMIT ?",  # noqa: S608
                (after, batch),
            )
            if not found:
                return
            for row, attachment_rows in found:
                yield self._decrypt(row, attachment_rows)
            after = _as_int(found[-1][0]["seq"])

    def _read_items(self, sql: str, params: tuple[object, ...]) -> list[tuple[_Row, list[_Row]]]:
        """Rows and their attachment rows in one locked read, so a concurrent confirm can
        never make a whole item look like one with missing attachments."""
        with self._work_lock:
            conn = self._connection(self._work_conn)
            try:
                rows = conn.execute(sql, params).fetchall()
                return [
                    (
                        row,
                        conn.execute(
                            "SELECT position, sealed FROM attachments WHERE local_ref = ? "
                            "ORDER BY position",
                            (row["local_ref"],),
                        ).fetchall()
                        if row["attachment_count"]
                        else [],
                    )
                    for row in rows
                ]
            except sqlite3.Error as err:
                raise OutboxError(f"outbox read failed: {err}") from err

    def lanes(self) -> list[str]:
        return [str(row["lane"]) for row in self._read("SELECT DISTINCT lane FROM items", ())]

    def count(self, kinds: Sequence[str] | None = None) -> int:
        if kinds is None:
            rows = self._read("SELECT COUNT(*) AS queued FROM items", ())
        else:
            marks = ",".join("?" * len(kinds))
            sql = f"SELECT COUNT(*) AS queued FROM items WHERE kind IN ({marks})"  # noqa: S608
            rows = self._read(sql, tuple(kinds))
        return int(rows[0]["queued"])

    def oldest_created_at(self) -> float | None:
        oldest = self._read("SELECT MIN(created_at) AS oldest FROM items", ())[0]["oldest"]
        return None if oldest is None else float(oldest)

    def dead_letters(self) -> list[DeadLetter]:
        rows = self._read(
            "SELECT local_ref, kind, created_at, dead_at, attempts, reason "
            "FROM dead_letters ORDER BY seq",
            (),
        )
        return [
            DeadLetter(
                local_ref=str(row["local_ref"]),
                kind=str(row["kind"]),
                created_at=float(row["created_at"]),
                dead_at=float(row["dead_at"]),
                attempts=int(row["attempts"]),
                reason=str(row["reason"]),
            )
            for row in rows
        ]

    def _read(self, sql: str, params: tuple[object, ...]) -> list[_Row]:
        with self._work_lock:
            conn = self._connection(self._work_conn)
            try:
                return list(conn.execute(sql, params).fetchall())
            except sqlite3.Error as err:
                raise OutboxError(f"outbox read failed: {err}") from err

    def _decrypt(self, row: _Row, attachment_rows: list[_Row]) -> OutboxItem:
        local_ref, kind = str(row["local_ref"]), str(row["kind"])
        try:
            sealed = _as_bytes(row["sealed_payload"])
            headers, body = _unpack(self._sealer.open(sealed, associated_data(local_ref, kind)))
            positions = [attachment["position"] for attachment in attachment_rows]
            if positions != list(range(_as_int(row["attachment_count"]))):
                raise ValueError("attachments missing or extra")
            attachments = tuple(
                _attachment(
                    self._sealer.open(
                        _as_bytes(blob),
                        associated_data(local_ref, kind, f"attachment:{position}"),
                    )
                )
                for position, blob in attachment_rows
            )
            error = row["last_error"]
            return OutboxItem(
                seq=_as_int(row["seq"]),
                local_ref=local_ref,
                kind=kind,
                body=body,
                headers=headers,
                attachments=attachments,
                created_at=_as_float(row["created_at"]),
                attempts=_as_int(row["attempts"]),
                next_attempt_at=_as_float(row["next_attempt_at"]),
                last_error=None if error is None else str(error),
            )
        except (OutboxSealError, ValueError, KeyError, TypeError, struct.error):
            raise CorruptItem(local_ref, kind) from None


    def _connection(self, conn: sqlite3.Connection | None) -> sqlite3.Connection:
        if conn is None:
            raise OutboxError("the outbox is closed")
        return conn


def _statements(script: str) -> list[str]:
    """A migration script's statements, to run one by one inside the migration's transaction
    (``executescript`` would commit on its own first). Scripts hold no ';' inside literals."""
    return [statement.strip() for statement in script.split(";") if statement.strip()]


def _forget(local_ref: str) -> list[_Statement]:
    return [
        ("DELETE FROM items WHERE local_ref = ?", (local_ref,)),
        ("DELETE FROM attachments WHERE local_ref = ?", (local_ref,)),
    ]


def _bury(local_ref: str, reason: str, attempts: int, now: float) -> list[_Statement]:
    return [
        (
            "INSERT INTO dead_letters (seq, local_ref, kind, lane, created_at, attempts, "
            "reason, dead_at, attachment_count, sealed_payload) "
            "SELECT seq, local_ref, kind, lane, created_at, ?, ?, ?, attachment_count, "
            "sealed_payload FROM items WHERE local_ref = ?",
            (attempts, reason, now, local_ref),
        ),
        ("DELETE FROM items WHERE local_ref = ?", (local_ref,)),
    ]


def _attachment(raw: bytes) -> Attachment:
    header, data = _unpack(raw)
    return Attachment(header["name"], header["type"], data)


def _as_bytes(value: object) -> bytes:
    if not isinstance(value, bytes):
        raise ValueError("sealed column is not a blob")
    return value


def _as_int(value: object) -> int:
    if not isinstance(value, int):
        raise ValueError("integer column holds something else")
    return value


def _as_float(value: object) -> float:
    if not isinstance(value, int | float):
        raise ValueError("time column holds something else")
    return float(value)
