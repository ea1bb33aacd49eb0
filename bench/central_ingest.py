"""Heartbeat ingest: signed heartbeats from concurrent kiosks, accepted per second and latency.

A real ``kiosk-central serve`` process (SQLite file, then a throwaway PostgreSQL) takes signed
heartbeats from many enrolled kiosks over loopback keep-alive connections. Each connection
stands for a group of kiosks and has one request in flight at a time (a kiosk never sends its
next ping before the last one was answered); it sends the next as soon as an answer arrives, so
the figure is the server's capacity, not a chosen rate.

The client must not be what is measured: every request (body, signature, nonce, timestamp,
Idempotency-Key) is built and signed with the kiosk's real ``RequestSigner`` before the timed
window, and the timed loop only writes those bytes and reads the status line and
Content-Length of each answer (asyncio protocol on uvloop). Client and server share this
machine's cores; the CPU each used is printed beside the figures.

See docs/benchmarks.md for what each figure means.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import resource
import secrets
import statistics
import sys
import tempfile
import time
from array import array
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from _central import (
    BenchError,
    BenchKiosk,
    CentralProcess,
    central_cli,
    cpu_seconds,
    database,
    enroll_kiosks,
    info,
    machine_note,
    main_wrapper,
    percentile,
    report,
)

from central.contract import models as wire

TARGET_RATE = 2000.0  # accepted heartbeats per second (83,000 kiosks a minute is ~1,400/s)
TARGET_P99_MS = 50.0
MAX_SECONDS = 240  # every request is signed before the run; the centre allows 300 s of skew
LEAD_IN_S = 1.0  # traffic before each timed window, not counted (pools, caches, first pages)
CALIBRATION_S = 3.0


# ---------------------------------------------------------------- requests, signed up front


def heartbeat_body(kiosk_id: str, sequence: int) -> bytes:
    """A full FIELD-NOTES heartbeat: kiosk state, resources, network, two peripherals."""
    payload: dict[str, Any] = {
        "kiosk_id": kiosk_id,
        "sequence": sequence,
        "sent_at": datetime.now(UTC).isoformat(),
        "boot_id": "5b0f6c1e-9a4d-4f51-8d3e-bench",
        "uptime_s": 3600.5 + sequence,
        "versions": {"app": "0.1.0", "os": "Debian 12", "python": "3.11.2"},
        "config_hash": "ab" * 32,
        "app_state": "AVAILABLE",
        "resources": {
            "disk_free_mb": 20000,
            "disk_total_mb": 64000,
            "ram_free_mb": 1500,
            "ram_total_mb": 4096,
        },
        "network": {"interface": "eth0", "rtt_ms": 41.5},
        "outbox_backlog": 0,
        "last_transaction_at": None,
        "peripherals": [
            {"name": "printer", "kind": "printer", "state": "online", "supply": "full"},
            {"name": "card_reader", "kind": "card_reader", "state": "online"},
        ],
    }
    return json.dumps(payload, separators=(",", ":")).encode()


@dataclass
class KioskStream:
    """One kiosk's heartbeats, numbered on from where the last batch stopped."""

    kiosk: BenchKiosk
    sequence: int = 0

    def next_request(self, host: str, idempotency: bool) -> bytes:
        self.sequence += 1
        body = heartbeat_body(self.kiosk.kiosk_id, self.sequence)
        headers = self.kiosk.signer.headers("POST", "/v1/heartbeats", body)
        if idempotency:
            headers["Idempotency-Key"] = secrets.token_urlsafe(16)
        lines = [
            "POST /v1/heartbeats HTTP/1.1",
            f"Host: {host}",
            "Content-Type: application/json",
            f"Content-Length: {len(body)}",
            *(f"{name}: {value}" for name, value in headers.items()),
        ]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def sign_batches(
    groups: list[list[KioskStream]], per_connection: int, host: str, idempotency: bool
) -> list[list[bytes]]:
    """``per_connection`` requests for each connection, its kiosks taking turns."""
    return [
        [group[i % len(group)].next_request(host, idempotency) for i in range(per_connection)]
        for group in groups
    ]


# ---------------------------------------------------------------- the lean HTTP/1.1 client


class KeepAliveConnection(asyncio.Protocol):
    """HTTP/1.1 keep-alive with one request in flight. It parses only what it needs (status
    code, Content-Length), which keeps the client's CPU per request small."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._waiter: asyncio.Future[int] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None
        self._fail(ConnectionError(f"server closed the connection ({exc})"))

    def _fail(self, error: Exception) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        head_end = buffer.find(b"\r\n\r\n")
        if head_end < 0:
            return
        head = bytes(buffer[:head_end]).lower()
        at = head.find(b"\r\ncontent-length:")
        if at < 0:
            self._fail(ConnectionError("answer without Content-Length"))
            return
        stop = head.find(b"\r\n", at + 2)
        total = head_end + 4 + int(head[at + 17 : stop if stop >= 0 else None])
        if len(buffer) < total:
            return
        status = int(buffer[9:12])
        del buffer[:total]
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(status)

    def send(self, request: bytes) -> asyncio.Future[int]:
        if self._transport is None:
            raise ConnectionError("connection is closed")
        self._waiter = self._loop.create_future()
        self._transport.write(request)
        return self._waiter

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()


@dataclass
class RunResult:
    """Per-request records of one run; filtered to the timed window afterwards."""

    window_start: float
    window_end: float
    sent: array[float] = field(default_factory=lambda: array("d"))
    done: array[float] = field(default_factory=lambda: array("d"))
    status: array[int] = field(default_factory=lambda: array("H"))
    ran_out_at: float = math.inf  # when the first connection used up its pre-signed requests
    client_cpu_s: float = 0.0
    server_cpu_s: float = 0.0
    database_cpu_s: float = 0.0

    @property
    def measured_end(self) -> float:
        return min(self.window_end, self.ran_out_at)

    @property
    def seconds(self) -> float:
        return max(1e-9, self.measured_end - self.window_start)

    def in_window(self) -> tuple[list[float], Counter[int]]:
        """Latencies (s) and status counts of requests sent and answered inside the window."""
        start, end = self.window_start, self.measured_end
        latencies: list[float] = []
        statuses: Counter[int] = Counter()
        for sent, done, status in zip(self.sent, self.done, self.status, strict=True):
            if sent >= start and done <= end:
                latencies.append(done - sent)
                statuses[status] += 1
        return latencies, statuses


def _client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _drive(
    conn: KeepAliveConnection,
    batch: list[bytes],
    result: RunResult,
    clock: Callable[[], float],
) -> None:
    sent_log, done_log, status_log = result.sent, result.done, result.status
    end = result.window_end
    for request in batch:
        sent = clock()
        if sent >= end:
            return
        status = await conn.send(request)
        sent_log.append(sent)
        done_log.append(clock())
        status_log.append(status)
    result.ran_out_at = min(result.ran_out_at, clock())


async def run_load(
    port: int,
    batches: list[list[bytes]],
    seconds: float,
    cpu_roots: tuple[tuple[int, ...], tuple[int, ...]],
) -> RunResult:
    """Every connection sends its batch back to back; the window opens after the lead-in."""
    loop = asyncio.get_running_loop()
    conns: list[KeepAliveConnection] = []
    try:
        for _ in batches:
            _, conn = await loop.create_connection(
                lambda: KeepAliveConnection(loop), "127.0.0.1", port
            )
            conns.append(conn)
        clock = time.perf_counter
        start = clock() + LEAD_IN_S
        result = RunResult(window_start=start, window_end=start + seconds)
        server_roots, database_roots = cpu_roots

        def snapshot(sign: float) -> None:
            result.client_cpu_s += sign * _client_cpu()
            result.server_cpu_s += sign * cpu_seconds(server_roots)
            if database_roots:
                result.database_cpu_s += sign * cpu_seconds(database_roots)

        # perf_counter and the loop's clock are both CLOCK_MONOTONIC on Linux.
        opening = loop.call_later(LEAD_IN_S, snapshot, -1.0)
        closing = loop.call_later(LEAD_IN_S + seconds, snapshot, 1.0)
        drivers = [
            asyncio.ensure_future(_drive(conn, batch, result, clock))
            for conn, batch in zip(conns, batches, strict=True)
        ]
        try:
            _, unfinished = await asyncio.wait(drivers, timeout=LEAD_IN_S + seconds + 30)
        finally:  # also on Ctrl-C: no driver is left running or unawaited
            opening.cancel()
            closing.cancel()
            for driver in drivers:
                driver.cancel()
            await asyncio.gather(*drivers, return_exceptions=True)
        if unfinished:
            raise BenchError("requests still unanswered 30 s after the window closed")
        failures = [d.exception() for d in drivers if not d.cancelled() and d.exception()]
        if failures:
            raise BenchError(f"a client connection failed: {failures[0]}")
        if closing.when() > loop.time():  # finished before the window closed: close it now
            snapshot(1.0)
        return result
    finally:
        for conn in conns:
            conn.close()


def _event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop]:
    try:
        import uvloop
    except ImportError:  # the plain loop works, with a little more client CPU per request
        return asyncio.new_event_loop
    return uvloop.new_event_loop


# ---------------------------------------------------------------- one database, end to end


@dataclass(frozen=True)
class Options:
    databases: list[str]
    seconds: float
    kiosks: int
    connections: int
    workers: int
    idempotency: bool
    max_requests: int
    runs: int


def _groups(kiosks: list[BenchKiosk], connections: int) -> list[list[KioskStream]]:
    streams = [KioskStream(kiosk) for kiosk in kiosks]
    return [streams[i::connections] for i in range(connections)]


def _load(
    runner: asyncio.Runner,
    server: CentralProcess,
    batches: list[list[bytes]],
    seconds: float,
    database_pids: tuple[int, ...],
) -> RunResult:
    roots = ((server.pid,), database_pids)
    return runner.run(run_load(server.port, batches, seconds, roots))


@dataclass(frozen=True)
class Figures:
    rate: float  # accepted per second
    p99_ms: float


def bench_database(kind: str, options: Options, workdir: Path) -> Figures:
    with ExitStack() as stack:
        started = time.monotonic()
        db = stack.enter_context(database(kind, workdir))
        central_cli(["migrate", "--database-url", db.url], workdir)
        central_cli(["seed", "--database-url", db.url, "--residents", "0"], workdir)
        server = stack.enter_context(CentralProcess(db.url, workdir, options.workers))
        kiosks = enroll_kiosks(server, options.kiosks)
        groups = _groups(kiosks, min(options.connections, len(kiosks)))
        host = f"127.0.0.1:{server.port}"
        runner = stack.enter_context(asyncio.Runner(loop_factory=_event_loop_factory()))
        info(
            f"{kind}: server up with {options.workers} worker(s), {len(kiosks)} kiosks enrolled "
            f"in {time.monotonic() - started:.1f} s; {len(groups)} keep-alive connections"
        )

        # A short run sizes the real one: enough pre-signed requests, but not ten times too many.
        per_connection = max(50, int(8000 * (LEAD_IN_S + CALIBRATION_S) / len(groups)))
        batches = sign_batches(groups, per_connection, host, options.idempotency)
        trial = _load(runner, server, batches, CALIBRATION_S, db.server_pids)
        rate = len(trial.in_window()[0]) / trial.seconds
        budget = math.ceil(2.0 * max(rate, 100) * (LEAD_IN_S + options.seconds))
        budget = min(budget, options.max_requests)
        per_connection = math.ceil(budget / len(groups))
        signing = time.perf_counter()
        batches = sign_batches(groups, per_connection, host, options.idempotency)
        info(
            f"{kind}: trial run {rate:.0f} req/s; signed {per_connection * len(groups)} requests "
            f"in {time.perf_counter() - signing:.1f} s before the timed window"
        )
        result = _load(runner, server, batches, options.seconds, db.server_pids)
        return _figures(kind, result, options)


def _figures(kind: str, result: RunResult, options: Options) -> Figures:
    latencies, statuses = result.in_window()
    accepted = statuses.get(202, 0)
    rate = accepted / result.seconds
    p50 = percentile(latencies, 50) * 1000
    p99 = percentile(latencies, 99) * 1000
    if result.ran_out_at < result.window_end:
        info(
            f"{kind}: pre-signed requests ran out after {result.seconds:.1f} s of "
            f"{options.seconds:g} s; figures cover that time (raise --max-requests)"
        )
    others = {code: n for code, n in sorted(statuses.items()) if code != 202}
    if others:
        info(f"{kind}: answers other than 202 in the window: {others}")
    cores = f"server {result.server_cpu_s / result.seconds:.2f}"
    if result.database_cpu_s:
        cores += f", PostgreSQL {result.database_cpu_s / result.seconds:.2f}"
    per_request_us = result.client_cpu_s / max(1, len(latencies)) * 1e6
    info(
        f"{kind}: {accepted} accepted in {result.seconds:.1f} s, p50 {p50:.1f} ms; CPU cores "
        f"used: {cores}, client {result.client_cpu_s / result.seconds:.2f} "
        f"({per_request_us:.0f} µs per request)"
    )
    return Figures(rate, p99)


def _report(kind: str, runs: list[Figures]) -> None:
    """The median run's figures: one run on a shared machine is a sample, not a figure."""
    if len(runs) > 1:
        shown = ", ".join(f"{run.rate:.0f} req/s p99 {run.p99_ms:.1f} ms" for run in runs)
        info(f"{kind}: {len(runs)} runs: {shown}; the figures are the medians")
    rate = statistics.median(run.rate for run in runs)
    p99 = statistics.median(run.p99_ms for run in runs)
    report(f"heartbeat_ingest_{kind}", rate, "req/s", ">=", TARGET_RATE)
    report(f"heartbeat_p99_{kind}", p99, "ms", "<=", TARGET_P99_MS)


# ---------------------------------------------------------------- command line


def parse_args(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(
        description="Signed heartbeats from concurrent kiosks against a real kiosk-central "
        "server on loopback: accepted per second and latency p99, for SQLite and PostgreSQL.",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=30.0,
        help=f"length of each timed window (default %(default)g, at most {MAX_SECONDS})",
    )
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgres", "both"],
        default="both",
        help="which database to measure (default %(default)s)",
    )
    parser.add_argument(
        "--kiosks", type=int, default=200, help="kiosks to enroll (default %(default)s)"
    )
    parser.add_argument(
        "--connections",
        type=int,
        default=16,
        help="concurrent keep-alive connections, one request in flight each (default %(default)s)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="kiosk-central serve --workers (default %(default)s: best on 2 cores, see "
        "docs/benchmarks.md)",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=1,
        help="measure this many times, each on a fresh server and database, and report the "
        "medians (default %(default)s; use 3 or more on a shared machine)",
    )
    parser.add_argument(
        "--no-idempotency-key",
        action="store_true",
        help="send heartbeats without an Idempotency-Key (kiosks always send one)",
    )
    parser.add_argument(
        "--max-requests",
        type=int,
        default=300_000,
        help="cap on requests signed ahead per window, to bound memory (default %(default)s)",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.seconds <= MAX_SECONDS:
        parser.error(f"--seconds must be between 1 and {MAX_SECONDS}")
    for name in ("kiosks", "connections", "workers", "max_requests", "runs"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return Options(
        databases=["sqlite", "postgres"] if args.database == "both" else [args.database],
        seconds=args.seconds,
        kiosks=args.kiosks,
        connections=args.connections,
        workers=args.workers,
        idempotency=not args.no_idempotency_key,
        max_requests=args.max_requests,
        runs=args.runs,
    )


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    info(machine_note())
    try:
        wire.Heartbeat.model_validate_json(heartbeat_body("KSK-CHECK", 1))
    except ValueError as err:
        raise BenchError(f"the bench heartbeat no longer fits the contract: {err}") from None
    for kind in options.databases:
        runs: list[Figures] = []
        try:
            for _ in range(options.runs):  # each on a fresh server and database
                with tempfile.TemporaryDirectory(prefix="anjungan-bench-") as workdir:
                    runs.append(bench_database(kind, options, Path(workdir)))
        except BenchError as err:
            if kind == "sqlite":
                raise
            info(f"{kind}: not measured: {err}")
            continue
        _report(kind, runs)
    info(machine_note("at the end"))
    return 0


if __name__ == "__main__":
    sys.exit(main_wrapper(main))
