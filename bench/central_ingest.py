"""Heartbeat ingest: the rate of signed heartbeats the centre sustains, and their latency.

A real ``kiosk-central serve`` process (SQLite file, then a throwaway PostgreSQL) takes signed
heartbeats from many enrolled kiosks over loopback keep-alive connections. The load is an
open loop (bench/_open_loop.py): heartbeats leave on a schedule, as kiosks ping on their own
clocks, and each one's latency counts from when it was due.

Two measurements per database, on the same server:

- the target rate, 2,000 heartbeats/s, offered for ``--seconds`` (30): its p99 latency;
- a capacity search: rates from the target upwards (then downwards if the target itself is
  not sustained), ``--probe-seconds`` each, up to the first rate the server does not sustain
  (answers >= 99 % of the offered rate, all 202, p99 <= 50 ms). The figure is the accepted
  rate at the highest rate sustained.

The client must not be what is measured: every request (body, signature, nonce, timestamp,
Idempotency-Key) is built and signed with the kiosk's real ``RequestSigner`` right before its
run, and the timed loop only writes those bytes and reads the status line and Content-Length
of each answer (asyncio protocol on uvloop). Client and server share this machine's cores;
the CPU each used is printed beside the figures.

See docs/benchmarks.md for what each figure means.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _central import (
    BenchError,
    BenchKiosk,
    CentralProcess,
    central_cli,
    central_process,
    cpu_seconds,
    database,
    enroll_kiosks,
    info,
    machine_note,
    main_wrapper,
    percentile,
    report,
)
from _open_loop import ClientError, Measurement, requests_needed, run_open_loop

from central.contract import models as wire

TARGET_RATE = 2000.0  # accepted heartbeats per second (83,000 kiosks a minute is ~1,400/s)
TARGET_P99_MS = 50.0
SUSTAINED_SHARE = 0.99  # a rate is sustained when this share of it is answered in time
MAX_SECONDS = 120  # requests are signed before each run; the centre allows 300 s of skew
LEAD_IN_S = 1.0  # traffic before each timed window, not counted (pools, caches, first pages)
PROBE_UP = (1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0)  # multiples of the target rate
PROBE_DOWN = (0.75, 0.5, 0.25)


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


def sign_requests(
    streams: list[KioskStream], count: int, host: str, idempotency: bool
) -> list[bytes]:
    """``count`` requests, the kiosks taking turns, each signed now (fresh timestamps)."""
    return [streams[i % len(streams)].next_request(host, idempotency) for i in range(count)]


# ---------------------------------------------------------------- one database, end to end


@dataclass(frozen=True)
class Options:
    databases: list[str]
    seconds: float
    probe_seconds: float
    kiosks: int
    connections: int
    workers: int
    idempotency: bool
    runs: int


@dataclass(frozen=True)
class Figures:
    capacity: float  # accepted per second at the highest rate sustained (0: none was)
    p99_ms: float  # at the target rate


@dataclass
class Rig:
    """One server, its kiosks and the client's event loop: what every run of a database uses."""

    kind: str
    server: CentralProcess
    streams: list[KioskStream]
    runner: asyncio.Runner
    database_pids: tuple[int, ...]
    options: Options

    def offer(self, rate: float, seconds: float) -> Measurement:
        """``rate`` heartbeats per second for a lead-in plus ``seconds``, signed just before."""
        host = f"127.0.0.1:{self.server.port}"
        count = requests_needed(rate, LEAD_IN_S, seconds)
        requests = sign_requests(self.streams, count, host, self.options.idempotency)
        server_pids = (self.server.pid,)
        database_cpu: Callable[[], float] | None = None
        if self.database_pids:
            database_cpu = lambda: cpu_seconds(self.database_pids)  # noqa: E731
        try:
            return self.runner.run(
                run_open_loop(
                    self.server.port,
                    requests,
                    rate,
                    LEAD_IN_S,
                    self.options.connections,
                    server_cpu=lambda: cpu_seconds(server_pids),
                    database_cpu=database_cpu,
                )
            )
        except ClientError as err:
            raise BenchError(f"{self.kind} at {rate:.0f}/s: {err}") from None


def sustained(run: Measurement) -> bool:
    """Kept up: answered (202) at >= 99 % of the offered rate, nothing else, p99 in target."""
    others = {code for code in run.statuses() if code != 202}
    return (
        not others
        and run.answered_per_second(202) >= SUSTAINED_SHARE * run.rate
        and percentile(run.latencies(), 99) * 1000 <= TARGET_P99_MS
    )


def describe(kind: str, label: str, run: Measurement) -> None:
    latencies = run.latencies()
    others = {code: n for code, n in sorted(run.statuses().items()) if code != 202}
    cores = f"server {run.server_cpu_s / run.seconds:.2f}"
    if run.database_cpu_s:
        cores += f", PostgreSQL {run.database_cpu_s / run.seconds:.2f}"
    per_request_us = run.client_cpu_s / max(1, len(latencies)) * 1e6
    info(
        f"{kind} {label}: offered {run.rate:.0f}/s for {run.seconds:.0f} s, accepted "
        f"{run.answered_per_second(202):.0f}/s, p50 {percentile(latencies, 50) * 1000:.1f} ms, "
        f"p99 {percentile(latencies, 99) * 1000:.1f} ms"
        + (f", other answers {others}" if others else "")
        + f"; CPU cores: {cores}, client {run.client_cpu_s / run.seconds:.2f} "
        f"({per_request_us:.0f} µs per request)"
    )


def capacity(rig: Rig) -> float:
    """Accepted per second at the highest probed rate that was sustained (0: none)."""
    best = 0.0
    target_run = rig.offer(TARGET_RATE, rig.options.probe_seconds)
    describe(rig.kind, "probe", target_run)
    factors = PROBE_UP if sustained(target_run) else PROBE_DOWN
    if sustained(target_run):
        best = target_run.answered_per_second(202)
    for factor in factors:
        run = rig.offer(TARGET_RATE * factor, rig.options.probe_seconds)
        describe(rig.kind, "probe", run)
        if sustained(run) and factor > 1:
            best = run.answered_per_second(202)
        elif sustained(run):  # the first rate sustained on the way down
            return run.answered_per_second(202)
        elif factor > 1:  # the first rate not sustained on the way up
            break
    return best


def bench_database(kind: str, options: Options, workdir: Path) -> Figures:
    with ExitStack() as stack:
        started = time.monotonic()
        db = stack.enter_context(database(kind, workdir))
        central_cli(["migrate", "--database-url", db.url], workdir)
        central_cli(["seed", "--database-url", db.url, "--residents", "0"], workdir)
        server = stack.enter_context(central_process(db.url, workdir, options.workers))
        kiosks = enroll_kiosks(server, db.url, options.kiosks)
        runner = stack.enter_context(asyncio.Runner(loop_factory=_event_loop_factory()))
        rig = Rig(kind, server, [KioskStream(k) for k in kiosks], runner, db.server_pids, options)
        info(
            f"{kind}: server up with {options.workers} worker(s), {len(kiosks)} kiosks enrolled "
            f"in {time.monotonic() - started:.1f} s; up to {options.connections} keep-alive "
            "connections"
        )
        at_target = rig.offer(TARGET_RATE, options.seconds)
        describe(kind, "target", at_target)
        return Figures(capacity(rig), percentile(at_target.latencies(), 99) * 1000)


def _event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop]:
    try:
        import uvloop
    except ImportError:  # the plain loop works, with a little more client CPU per request
        return asyncio.new_event_loop
    return uvloop.new_event_loop


def _report(kind: str, runs: list[Figures]) -> None:
    """The median run's figures: one run on a shared machine is a sample, not a figure."""
    if len(runs) > 1:
        shown = ", ".join(f"{run.capacity:.0f} req/s p99 {run.p99_ms:.1f} ms" for run in runs)
        info(f"{kind}: {len(runs)} runs: {shown}; the figures are the medians")
    rate = statistics.median(run.capacity for run in runs)
    p99 = statistics.median(run.p99_ms for run in runs)
    report(f"heartbeat_ingest_{kind}", rate, "req/s", ">=", TARGET_RATE)
    report(f"heartbeat_p99_{kind}", p99, "ms", "<=", TARGET_P99_MS)


# ---------------------------------------------------------------- command line


def parse_args(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(
        description="Signed heartbeats offered on a schedule (open loop) to a real kiosk-central "
        "server on loopback: p99 latency at the target rate and the highest rate sustained, "
        "for SQLite and PostgreSQL.",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=30.0,
        help=f"timed window at the target rate (default %(default)g, at most {MAX_SECONDS})",
    )
    parser.add_argument(
        "--probe-seconds",
        type=float,
        default=10.0,
        help="timed window of each capacity probe (default %(default)g)",
    )
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgres", "both"],
        default="both",
        help="which database to measure (default %(default)s)",
    )
    parser.add_argument(
        "--kiosks", type=int, default=2000, help="kiosks to enroll (default %(default)s)"
    )
    parser.add_argument(
        "--connections",
        type=int,
        default=64,
        help="keep-alive connections, one request in flight each; a heartbeat due while all "
        "are busy waits in the client, and that wait counts (default %(default)s)",
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
    args = parser.parse_args(argv)
    for name in ("seconds", "probe_seconds"):
        if not 1 <= getattr(args, name) <= MAX_SECONDS:
            parser.error(f"--{name.replace('_', '-')} must be between 1 and {MAX_SECONDS}")
    for name in ("kiosks", "connections", "workers", "runs"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    return Options(
        databases=["sqlite", "postgres"] if args.database == "both" else [args.database],
        seconds=args.seconds,
        probe_seconds=args.probe_seconds,
        kiosks=args.kiosks,
        connections=args.connections,
        workers=args.workers,
        idempotency=not args.no_idempotency_key,
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
