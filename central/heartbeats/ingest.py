"""Heartbeat intake: every kiosk, every minute, so the centre's busiest write.

A heartbeat is checked on the event loop and the verifier thread (clock, signature with the
cached kiosk key, sender, Idempotency-Key), then handed to this process's one
``HeartbeatWriter``. The writer commits the heartbeats that arrived together in ONE
transaction (group commit): it refuses those of revoked or vanished kiosks (one query for the
batch), then
writes nonces, idempotency answers, history rows and each kiosk's state. Why:

- Each commit, not each row, is what costs on SQLite (and a round trip on PostgreSQL).
- SQLite has one writer at a time; request threads racing for the lock sleep in SQLite's busy
  handler and stretch the tail. One writer thread per process queues them instead.
- The request never waits on a worker thread of its own: only the writer does blocking I/O.

The rules stay the ones every other route uses: ``auth`` checks the signature and claims the
nonce (a replay of a nonce stored by any process or earlier batch is refused), ``idempotency``
derives, seals and replays answers, ``fleet`` decides what is stored. What differs is only
that the nonce, the idempotency answer and the heartbeat are written in the same transaction,
so a retry can never see a claimed key without its answer.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import threading
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy import Connection, Engine

from central.context import CentralContext
from central.contract import models as wire
from central.errors import ApiError
from central.heartbeats.checkpoint import Checkpointer, wants_checkpointer
from central.heartbeats.handoff import settle_from_thread
from central.heartbeats.verifier import SignatureVerifier
from central.security.callers import SignedKiosk
from central.security.idempotency import (
    Claim,
    StoredAnswer,
    prune_records,
    store_answers,
    stored_answers,
)
from central.security.kiosk_auth import (
    SignedRequest,
    claim_nonces,
    forget_on_bad_signature,
    kiosk_credential,
    prune_nonces,
    refused_kiosks,
    replayed,
)
from central.services.fleet import Ping, check_sender, heartbeat_ack, write_heartbeats

log = logging.getLogger(__name__)

MAX_BATCH = 256  # heartbeats per transaction: bounds how long one commit holds the lock
IDLE_EXIT_S = 10.0  # the writer thread ends when idle this long and restarts on demand

Outcome = Response | ApiError | BaseException


@dataclass(frozen=True)
class HeartbeatPipeline:
    """The heartbeat route's machinery for one app: the signature thread and the group-commit
    writer, working on the app's shared ``CentralContext``. Built by the app factory beside the
    context (``create_app``), which keeps the context free of the modules that depend on it."""

    ctx: CentralContext
    signatures: SignatureVerifier
    writer: HeartbeatWriter

    @classmethod
    def for_context(cls, ctx: CentralContext) -> HeartbeatPipeline:
        return cls(ctx, SignatureVerifier(), HeartbeatWriter(ctx))


async def get_heartbeats(request: Request) -> HeartbeatPipeline:
    """Async on purpose: FastAPI runs a plain ``def`` dependency on a worker thread."""
    pipeline: HeartbeatPipeline = request.app.state.heartbeats
    return pipeline


HeartbeatsDep = Annotated[HeartbeatPipeline, Depends(get_heartbeats)]


async def accept(
    pipeline: HeartbeatPipeline,
    signed: SignedRequest,
    beat: wire.Heartbeat,
    idempotency_key: str | None,
    request_hash: str,
) -> Response:
    """The whole heartbeat route once the request is parsed: the FastAPI route and the ASGI
    fast path (central/heartbeats/ingest_asgi.py) both end here. Refusals are raised as
    ``ApiError``.

    A pipeline of three threads, so that each stage's work overlaps the others': this event
    loop checks the clock and finds the key; the verifier thread checks the signature and
    prepares the rows; the writer commits them with the other heartbeats waiting. Whichever
    stage ends the request settles its future.
    """
    ctx = pipeline.ctx
    credential = await kiosk_credential(ctx, signed)
    future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()

    def to_writer(kiosk: SignedKiosk) -> None:  # runs on the verifier thread
        pipeline.writer.enqueue(
            _prepare(ctx, kiosk, signed, beat, idempotency_key, request_hash, future)
        )

    pipeline.signatures.check(signed, credential, future, then=to_writer)
    outcome = await future
    if isinstance(outcome, BaseException):
        forget_on_bad_signature(ctx, signed.kiosk_id, outcome)
        raise outcome
    return outcome


def _prepare(
    ctx: CentralContext,
    kiosk: SignedKiosk,
    signed: SignedRequest,
    beat: wire.Heartbeat,
    idempotency_key: str | None,
    request_hash: str,
    future: asyncio.Future[Outcome],
) -> _Beat:
    """What the writer stores for one authenticated heartbeat: its nonce, its answer (for the
    Idempotency-Key) and, unless the sender check refuses it, the ping itself."""
    now = ctx.clock.now()
    ping: Ping | None = None
    try:
        check_sender(kiosk, beat)
    except ApiError as refusal:  # stored as the key's answer, like any route's refusal
        status, body = refusal.status, bytes(refusal.response().body)
    else:
        status, body = 202, heartbeat_ack(now, ctx.settings).model_dump_json().encode()
        ping = Ping.of(kiosk.id, now, beat)
    claim = Claim.of(kiosk.id, idempotency_key) if idempotency_key is not None else None
    return _Beat(
        nonce={"kiosk_id": kiosk.id, "nonce": signed.nonce, "seen_at": now},
        claim=claim,
        request_hash=request_hash,
        status=status,
        body=body,
        sealed_body=claim.seal(status, body) if claim is not None else None,
        ping=ping,
        future=future,
    )


@dataclass(eq=False)  # identity: the same heartbeat, not an equal one
class _Beat:
    """One heartbeat waiting for the writer, with the answer it gets once written."""

    nonce: dict[str, Any]
    claim: Claim | None
    request_hash: str
    status: int
    body: bytes
    sealed_body: bytes | None  # the answer as stored for the Idempotency-Key
    ping: Ping | None  # None for a refusal: only the nonce and the answer are stored
    future: asyncio.Future[Outcome] = field(repr=False)

    @property
    def kiosk_id(self) -> str:
        kiosk_id: str = self.nonce["kiosk_id"]
        return kiosk_id

    @property
    def nonce_key(self) -> tuple[str, str]:
        return self.kiosk_id, self.nonce["nonce"]

    def answer(self) -> Response:
        return Response(self.body, status_code=self.status, media_type="application/json")


class HeartbeatWriter:
    """Group commit: one thread per process writes whatever heartbeats are waiting, together.

    While one transaction runs, the next heartbeats queue up and go in the next one, so the
    batch grows with the load by itself and nothing waits for a timer. The thread starts on
    demand and ends after ``IDLE_EXIT_S`` idle, so an app that is no longer used (tests make
    many) leaves no thread behind. A failed transaction fails only its own heartbeats (they
    answer 500, the kiosk retries) and the thread goes on with the next batch.
    """

    def __init__(self, ctx: CentralContext) -> None:
        self._ctx = ctx
        self._wake = threading.Condition()
        self._pending: list[_Beat] = []
        self._thread: threading.Thread | None = None

    def enqueue(self, beat: _Beat) -> None:
        """Queue one heartbeat for the next transaction; its future gets the outcome.
        Thread-safe: the verifier thread calls it."""
        with self._wake:
            self._pending.append(beat)
            if self._thread is None:
                self._start()
            else:
                self._wake.notify()

    def _start(self) -> None:
        """Called with ``_wake`` held."""
        self._thread = threading.Thread(target=self._run, name="heartbeat-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._write_until_idle()
        except BaseException:
            log.exception("heartbeat writer failed; a new one takes over the queue")
            with self._wake:
                if self._thread is threading.current_thread():
                    self._thread = None
                if self._thread is None and self._pending:  # never wait on a dead thread
                    self._start()

    def _write_until_idle(self) -> None:
        engine = self._ctx.engine
        with Checkpointer(engine) if wants_checkpointer(engine) else nullcontext():
            self._write_batches()

    def _write_batches(self) -> None:
        connection: Connection | None = None
        turn = WriteTurn(self._ctx.engine)
        try:
            while True:
                with self._wake:
                    if not self._pending:
                        self._wake.wait(timeout=IDLE_EXIT_S)
                    if not self._pending:
                        self._thread = None
                        return
                    batch = self._pending[:MAX_BATCH]
                    del self._pending[:MAX_BATCH]
                try:
                    connection = connection or _writer_connection(self._ctx.engine)
                    with turn:
                        outcomes, later = self._commit(connection, batch)
                except Exception as err:  # noqa: BLE001 - each request re-raises it: logged, 500
                    outcomes, later = [(beat, err) for beat in batch], []
                    _discard(connection)
                    connection = None
                if later:
                    with self._wake:
                        self._pending[:0] = later
                _settle(outcomes)
        finally:
            _release(connection)
            turn.close()

    def _commit(
        self, connection: Connection, batch: list[_Beat]
    ) -> tuple[list[tuple[_Beat, Outcome]], list[_Beat]]:
        """One transaction for the batch; returns each heartbeat's outcome and those that
        must wait for the next transaction."""
        ctx = self._ctx
        now = ctx.clock.now()
        beats, later = _one_per_nonce_and_key(batch)
        outcomes: list[tuple[_Beat, Outcome]] = []
        with connection.begin():
            refused = refused_kiosks(ctx, connection, (b.kiosk_id for b in beats))
            if refused:
                outcomes += [(b, refused[b.kiosk_id]) for b in beats if b.kiosk_id in refused]
                beats = [b for b in beats if b.kiosk_id not in refused]
            fresh = claim_nonces(connection, sorted((b.nonce for b in beats), key=_nonce_order))
            claimed = [b for b in beats if b.nonce_key in fresh]
            outcomes += [(b, replayed()) for b in beats if b.nonce_key not in fresh]
            first_answers, repeats = _first_answers(connection, claimed, now)
            answered = set(first_answers)
            outcomes += [(b, _replay(b, repeats)) for b in claimed if b not in answered]
            pings = [b.ping for b in first_answers if b.ping is not None]
            if pings:
                write_heartbeats(connection, pings)
            outcomes += [(b, b.answer()) for b in first_answers]
            if ctx.housekeeping_due("nonces"):
                prune_nonces(ctx, connection, now)
            if ctx.housekeeping_due("idempotency"):
                prune_records(ctx, connection, now)
        return outcomes, later


# The writer's own connection keeps a larger page cache on SQLite: the indexes it touches
# (nonces, idempotency keys, history by kiosk) stay in memory instead of being read back from
# the OS on every batch. It leaves WAL checkpoints to the Checkpointer
# (central/heartbeats/checkpoint.py).
# Both are reset when the connection goes back to the pool.
_WRITER_CACHE_KIB = 32 * 1024
_DEFAULT_CACHE_KIB = 2000
_DEFAULT_AUTOCHECKPOINT = 1000  # pages


def _writer_connection(engine: Engine) -> Connection:
    connection = engine.connect()
    if engine.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA cache_size = -{_WRITER_CACHE_KIB}")
        if wants_checkpointer(engine):  # the Checkpointer thread does it, outside our commits
            connection.exec_driver_sql("PRAGMA wal_autocheckpoint = 0")
        connection.commit()  # ends the autobegun transaction: each batch begins its own
    return connection


def _release(connection: Connection | None) -> None:
    if connection is None:
        return
    try:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql(f"PRAGMA cache_size = -{_DEFAULT_CACHE_KIB}")
            connection.exec_driver_sql(f"PRAGMA wal_autocheckpoint = {_DEFAULT_AUTOCHECKPOINT}")
            connection.commit()
    finally:
        connection.close()


def _discard(connection: Connection | None) -> None:
    """After a failed batch: the connection may be broken (database restarted); a new one is
    taken for the next batch."""
    if connection is not None:
        connection.invalidate()
        connection.close()


class WriteTurn:
    """SQLite has one write lock per database file. Writers of other worker processes that
    find it taken sleep in SQLite's busy handler (1, 2, 5, 10, 15 ms...) and, with a writer
    that commits back to back, keep finding it taken: the tail grows tenfold. So heartbeat
    writers queue for a turn on a lock file (``flock``) instead: a waiting writer wakes the
    moment the other one's transaction ends.

    The wait has no timeout of its own: the lock is held only around one transaction, each of
    whose statements is bounded by SQLite's busy timeout, and the kernel releases it when a
    process dies. PostgreSQL needs no turn (rows lock, not the file): a no-op there.
    """

    def __init__(self, engine: Engine) -> None:
        database = engine.url.database
        self._path = (
            f"{database}.heartbeat-lock"
            if engine.dialect.name == "sqlite" and database not in (None, "", ":memory:")
            else None
        )
        self._fd: int | None = None

    def __enter__(self) -> None:
        if self._path is None:
            return
        if self._fd is None:
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX)

    def __exit__(self, *_exc: object) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _nonce_order(row: dict[str, Any]) -> tuple[str, str]:
    return row["kiosk_id"], row["nonce"]


def _one_per_nonce_and_key(batch: list[_Beat]) -> tuple[list[_Beat], list[_Beat]]:
    """Two heartbeats with the same nonce (or Idempotency-Key) in one batch: the second waits
    for the next transaction, where it meets the first one's stored row like any repeat."""
    seen_nonces: set[tuple[str, str]] = set()
    seen_keys: set[str] = set()
    now: list[_Beat] = []
    later: list[_Beat] = []
    for beat in batch:
        lookup = beat.claim.lookup if beat.claim is not None else None
        if beat.nonce_key in seen_nonces or (lookup is not None and lookup in seen_keys):
            later.append(beat)
            continue
        seen_nonces.add(beat.nonce_key)
        if lookup is not None:
            seen_keys.add(lookup)
        now.append(beat)
    return now, later


def _first_answers(
    connection: Connection, beats: list[_Beat], now: datetime
) -> tuple[list[_Beat], dict[str, StoredAnswer]]:
    """Stores the answers of the heartbeats carrying an Idempotency-Key; returns the
    heartbeats answered for the first time and, for the others, what was stored before."""
    rows = [
        {
            "lookup_hash": b.claim.lookup,
            "request_hash": b.request_hash,
            "status_code": b.status,
            "sealed_body": b.sealed_body,
            "created_at": now,
        }
        for b in beats
        if b.claim is not None
    ]
    if not rows:
        return beats, {}
    new = store_answers(connection, sorted(rows, key=lambda row: row["lookup_hash"]))
    first = [b for b in beats if b.claim is None or b.claim.lookup in new]
    repeated = [b.claim.lookup for b in beats if b.claim is not None and b.claim.lookup not in new]
    return first, stored_answers(connection, repeated) if repeated else {}


def _replay(beat: _Beat, stored: dict[str, StoredAnswer]) -> Outcome:
    """A key used before: its first answer, or the refusal ``StoredAnswer.replay`` gives."""
    assert beat.claim is not None
    # Gone between the insert and the read only if pruned at that instant: say "retry".
    answer = stored.get(beat.claim.lookup) or StoredAnswer(beat.request_hash, None, None)
    try:
        return answer.replay(beat.claim, beat.request_hash)
    except ApiError as refusal:
        return refusal


def _settle(outcomes: Iterable[tuple[_Beat, Outcome]]) -> None:
    settle_from_thread((beat.future, outcome) for beat, outcome in outcomes)
