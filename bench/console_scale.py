"""The console's figures at national size (bench/console.py has the district's fleet page):
a list of sub-benchmarks, each printing its figure beside its target (issue 15, "Benchmarks").

A throwaway PostgreSQL is migrated and seeded (Banyuwangi's offices), then filled with a
fleet of ``--kiosks`` (default 83,000: Indonesia's villages and wards) spread over the seeded
desa and kelurahan, each with its latest state and ``--raw-hours`` of raw pings (default 2:
about 10 million rows at 83,000 kiosks, all in today's partition, the one ingest writes),
made in the database with generate_series, not row by row from Python.

Sub-benchmarks:

- ``summary``: the national summary (``central.heartbeats.history.fleet_summary``: counts
  by liveness, app state, paper, faults, backlog and kecamatan), server time in-process;
  target <= 1 s.
- ``writer``: the heartbeat writer's database work alone (``write_heartbeats``, group
  commits of 64 pings in this process) against the same tables: heartbeats per second one
  writer commits, the database side's ceiling per worker process.
- ``ingest``: signed heartbeats from the enrolled fleet to ``kiosk-central serve --workers N``
  for N in ``--workers`` (1, 2, 4), open loop as in bench/central_ingest.py: the highest rate
  sustained (>= 99 % answered 202, p99 <= 50 ms) of a rising series of rates; the national
  need is about 1,400/s. Each kiosk's key is made here and its public half written into the
  database as enrollment would, so 83,000 kiosks are enrolled in seconds.

This machine's cores are shared by the client, the server's workers and PostgreSQL (and, on
the project's rig, other work): the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/x.py` puts only bench/ on the path
    sys.path.insert(0, str(ROOT))

from bench._central import (
    BenchKiosk,
    central_cli,
    central_process,
    database,
    info,
    machine_note,
    main_wrapper,
    percentile,
    report,
)
from bench.central_ingest import KioskStream, Options, Rig, describe, heartbeat_body, sustained
from central.contract import models as wire
from central.db import make_engine, make_sessionmaker
from central.heartbeats.history import fleet_summary
from central.heartbeats.retention import maintain
from central.services.fleet import Ping, write_heartbeats
from central.settings import CentralSettings
from kiosk.identity import KioskKey
from kiosk.signing import RequestSigner

NATIONAL_KIOSKS = 83_000
SUMMARY_TARGET_S = 1.0
NATIONAL_NEED = 1400.0  # heartbeats per second: 83,000 kiosks once a minute
# Offered, rising; the low rates give a figure even on a machine busy with other work.
INGEST_RATES = (100, 200, 350, 500, 700, 1000, 1400, 1750, 2100, 2800, 3500, 4200)
SUMMARY_RUNS = 15
CONNECTIONS = 64
WRITER_BATCH = 64  # pings per group commit in the writer bench: a busy writer's batch
WRITER_BATCHES = 300


@dataclass(frozen=True)
class Fleet:
    url: str
    kiosks: list[BenchKiosk]


# ---------------------------------------------------------------- the fleet, made in SQL


def fleet_kiosk_id(n: int) -> str:
    return f"KSK-N{n:06d}"


def make_fleet(url: str, count: int, raw_hours: int, with_keys: bool) -> list[BenchKiosk]:
    """``count`` enrolled kiosks (keys made here when the ingest bench needs them), their
    latest state and ``raw_hours`` of pings each, once a minute, ending now."""
    engine = make_engine(url)
    started = time.monotonic()
    ids = [fleet_kiosk_id(n) for n in range(count)]
    keys = [KioskKey.generate() for _ in ids] if with_keys else []
    raw_public = [base64.b64decode(k.public_key_b64()) for k in keys] if with_keys else []
    made = "kiosk ids and keys" if with_keys else "kiosk ids"
    info(f"fleet: {count} {made} in {time.monotonic() - started:.1f} s")
    now = datetime.now(UTC)
    try:
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("SELECT id FROM offices WHERE kind IN ('desa', 'kelurahan') ORDER BY id")
            offices = [row[0] for row in cursor.fetchall()]
            with cursor.copy(
                "COPY kiosks (id, office_id, public_key, hardware, enrolled_at) FROM STDIN"
            ) as copy:
                for n, kiosk_id in enumerate(ids):
                    public = raw_public[n] if with_keys else n.to_bytes(32, "big")
                    copy.write_row(
                        (
                            kiosk_id,
                            offices[n % len(offices)],
                            public,
                            "{}",
                            "2026-01-01T00:00:00+00",
                        )
                    )
            raw.commit()
            info(f"fleet: kiosks written in {time.monotonic() - started:.1f} s")
            minutes = raw_hours * 60
            step = max(1, minutes // 10)
            for first in range(0, minutes, step):  # in slices, with progress
                cursor.execute(
                    "INSERT INTO heartbeats (kiosk_id, received_at, sequence, app_state, "
                    "app_reason, paper, faults, outbox_backlog, rtt_ms, disk_free_mb, "
                    "device_change) SELECT k.id, %(now)s - g * interval '1 minute', g, "
                    "'AVAILABLE', NULL, 'full', 0, 0, 40.0, 20000, false "
                    "FROM kiosks k "
                    "CROSS JOIN generate_series(%(first)s::integer, %(last)s::integer) g",
                    {"now": now, "first": first + 1, "last": min(minutes, first + step)},
                )
                raw.commit()
                info(
                    f"fleet: raw history {min(minutes, first + step) * count:,} rows "
                    f"({time.monotonic() - started:.0f} s)"
                )
            # The latest state last, as of now: a mix of up, late and offline at read time.
            cursor.execute(
                "INSERT INTO kiosk_state (kiosk_id, last_seen_at, sequence, payload, app_state, "
                "app_reason, paper, faults, outbox_backlog, app_version) "
                "SELECT id, %(now)s - (random() * interval '5 minutes'), 1, '{}', "
                "CASE WHEN random() < 0.05 THEN 'UNAVAILABLE' ELSE 'AVAILABLE' END, NULL, "
                "CASE WHEN random() < 0.03 THEN 'low' ELSE 'full' END, 0, 0, '1.0.0' "
                "FROM kiosks",
                {"now": datetime.now(UTC)},
            )
            raw.commit()
            cursor.execute("ANALYZE")
            raw.commit()
        finally:
            raw.close()
    finally:
        engine.dispose()
    return [
        BenchKiosk(kiosk_id, RequestSigner(kiosk_id, key))
        for kiosk_id, key in zip(ids, keys, strict=False)
    ]


# ---------------------------------------------------------------- sub-benchmarks


def bench_summary(fleet: Fleet, options: argparse.Namespace, workdir: Path) -> None:
    settings = CentralSettings(database_url=fleet.url)
    engine = make_engine(fleet.url)
    timings = []
    try:
        sessions = make_sessionmaker(engine)
        for _ in range(SUMMARY_RUNS):
            with sessions() as db:
                started = time.perf_counter()
                summary = fleet_summary(db, datetime.now(UTC), settings)
                timings.append(time.perf_counter() - started)
    finally:
        engine.dispose()
    info(
        f"national summary: {summary.kiosks} kiosks in {len(summary.areas)} kecamatan, "
        f"{summary.liveness}; median {statistics.median(timings) * 1000:.0f} ms over "
        f"{SUMMARY_RUNS} runs"
    )
    p95_ms = percentile(timings, 95) * 1000
    report("national_summary_p95", p95_ms, "ms", "<=", SUMMARY_TARGET_S * 1000)


def bench_ingest(fleet: Fleet, options: argparse.Namespace, workdir: Path) -> None:
    for workers in options.workers:
        with ExitStack() as stack:
            server = stack.enter_context(central_process(fleet.url, workdir, workers))
            runner = stack.enter_context(asyncio.Runner())
            rig_options = Options(
                databases=["postgres"],
                seconds=options.probe_seconds,
                probe_seconds=options.probe_seconds,
                kiosks=len(fleet.kiosks),
                connections=CONNECTIONS,
                workers=workers,
                idempotency=True,
                runs=1,
            )
            streams = [KioskStream(k) for k in fleet.kiosks]
            rig = Rig(f"postgres {workers}w", server, streams, runner, (), rig_options)
            best = 0.0
            for rate in INGEST_RATES:
                run = rig.offer(rate, options.probe_seconds)
                describe(rig.kind, "probe", run)
                if not sustained(run):
                    break
                best = run.answered_per_second(202)
        report(f"heartbeat_ingest_postgres_{workers}_workers", best, "req/s", ">=", NATIONAL_NEED)


def bench_writer(fleet: Fleet, options: argparse.Namespace, workdir: Path) -> None:
    """The database half of ingest alone: the heartbeat writer's ``write_heartbeats`` in
    group commits of ``WRITER_BATCH`` pings from kiosks across the fleet, in this process.
    Its wall time per heartbeat bounds what one writer (one per worker process) can commit,
    whatever the HTTP side does; its CPU is GIL time the event loop does not get."""
    ids = [fleet_kiosk_id(n) for n in range(options.kiosks)]
    beat = wire.Heartbeat.model_validate_json(heartbeat_body(ids[0], 1))
    now = datetime.now(UTC)
    pings = [
        Ping.of(
            ids[(n * 7919) % len(ids)], now, beat.model_copy(update={"kiosk_id": "", "sequence": n})
        )
        for n in range(WRITER_BATCH * WRITER_BATCHES)
    ]
    engine = make_engine(fleet.url)
    try:
        with engine.connect() as connection:
            connection.commit()
            cpu, wall = time.process_time(), time.perf_counter()
            for start in range(0, len(pings), WRITER_BATCH):
                with connection.begin():
                    write_heartbeats(connection, pings[start : start + WRITER_BATCH])
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        engine.dispose()
    count = len(pings)
    info(
        f"writer: {count} heartbeats in group commits of {WRITER_BATCH}: "
        f"{wall / count * 1e6:.0f} µs wall, {cpu / count * 1e6:.0f} µs CPU each"
    )
    report("heartbeat_writer_postgres", count / wall, "req/s", ">=", NATIONAL_NEED)


SUB_BENCHMARKS: dict[str, Callable[[Fleet, argparse.Namespace, Path], None]] = {
    "summary": bench_summary,
    "writer": bench_writer,
    "ingest": bench_ingest,
}


# ---------------------------------------------------------------- command line


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="The console's figures at national size on a throwaway PostgreSQL: "
        "national summary and heartbeat ingest with 1, 2 and 4 worker processes.",
    )
    parser.add_argument(
        "--kiosks", type=int, default=NATIONAL_KIOSKS, help="fleet size (default %(default)s)"
    )
    parser.add_argument(
        "--raw-hours",
        type=int,
        default=2,
        help="hours of raw pings per kiosk, once a minute (default %(default)s: ~10 million "
        "rows at 83,000 kiosks)",
    )
    parser.add_argument(
        "--only",
        choices=sorted(SUB_BENCHMARKS),
        action="append",
        help="run only this sub-benchmark (repeatable; default all)",
    )
    parser.add_argument(
        "--workers",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[1, 2, 4],
        help="worker counts for the ingest bench, comma-separated (default 1,2,4)",
    )
    parser.add_argument(
        "--probe-seconds",
        type=float,
        default=10.0,
        help="timed window of each ingest rate (default %(default)g)",
    )
    args = parser.parse_args(argv)
    if args.kiosks < 1 or args.raw_hours < 0 or min(args.workers) < 1:
        parser.error("--kiosks and --workers must be at least 1, --raw-hours at least 0")
    if not 1 <= args.probe_seconds <= 60:
        parser.error("--probe-seconds must be between 1 and 60")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    chosen = options.only or list(SUB_BENCHMARKS)
    info(machine_note())
    with tempfile.TemporaryDirectory(prefix="anjungan-bench-") as name, ExitStack() as stack:
        workdir = Path(name)
        db = stack.enter_context(database("postgres", workdir))
        central_cli(["migrate", "--database-url", db.url], workdir)
        central_cli(["seed", "--database-url", db.url, "--residents", "0"], workdir)
        engine = make_engine(db.url)  # today's partitions, as the hourly timer makes them
        try:
            maintain(engine, datetime.now(UTC), CentralSettings(database_url=db.url))
        finally:
            engine.dispose()
        kiosks = make_fleet(db.url, options.kiosks, options.raw_hours, "ingest" in chosen)
        fleet = Fleet(db.url, kiosks)
        for name_ in chosen:
            SUB_BENCHMARKS[name_](fleet, options, workdir)
    info(machine_note("at the end"))
    return 0


if __name__ == "__main__":
    sys.exit(main_wrapper(main))
