"""The public tracking page a receipt's QR opens: p95 latency at 200 requests per second.

A real ``kiosk-central serve`` process over a seeded database (SQLite by default, or a
throwaway PostgreSQL) holding a few thousand letter requests and complaints. The client is
the open-loop generator (bench/_open_loop.py): ``GET /lacak/<code>`` requests leave on a
schedule at the offered rate over keep-alive connections, and each latency counts from when
its request was due, so a stall is never hidden by sending less. Codes are drawn from the
real ones, with one request in ten for a code that does not exist (the "not found" page).

The per-address rate limiter runs on every request as in production; its limit is raised in
the bench's own settings file because every request here comes from one loopback address.

    python bench/public.py [--database sqlite|postgresql] [--rate 200] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/x.py` puts only bench/ on the path
    sys.path.insert(0, str(ROOT))

from sqlalchemy import select

from bench._central import (
    HARDWARE,
    OFFICE,
    BenchError,
    central_cli,
    central_process,
    cpu_seconds,
    database,
    info,
    machine_note,
    main_wrapper,
    percentile,
    report,
    request_json,
)
from bench._open_loop import ClientError, requests_needed, run_open_loop
from central.contract.models import EnrollmentRequest
from central.contract.services import ComplaintCreate, LetterRequestCreate
from central.db import make_engine, make_sessionmaker
from central.models import Resident
from central.security.callers import SignedKiosk
from central.security.enrollment import create_token
from central.services import complaints, letters
from kiosk.identity import KioskKey

TARGET_P95_MS = 50.0
TARGET_RATE = 200.0
LEAD_IN_S = 3.0
CONNECTIONS = 16  # phones on the village network, one request at a time each
UNKNOWN_SHARE = 0.1
BENCH_SETTINGS = """\
# Written by bench/public.py: every request comes from one loopback address.
public_rate_per_minute = 100000000
public_rate_burst = 100000000
"""


def enroll(database_url: str, port: int) -> str:
    """One kiosk enrolled as a technician does it; its id (the submissions' kiosk)."""
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as db:
            token = create_token(db, OFFICE, 3600, datetime.now(UTC)).token
    finally:
        engine.dispose()
    body = EnrollmentRequest(
        token=token, public_key=KioskKey.generate().public_key_b64(), hardware=HARDWARE
    ).model_dump_json()
    status, answer = request_json(
        port, "POST", "/v1/enrollments", body.encode(), {"Content-Type": "application/json"}
    )
    if status != 201:
        raise BenchError(f"enrollment refused with {status}: {answer}")
    kiosk_id: str = answer["kiosk_id"]
    return kiosk_id


def fill(database_url: str, kiosk_id: str, count: int) -> list[str]:
    """``count`` submissions (letters and complaints, as kiosks file them): their codes."""
    engine = make_engine(database_url)
    kiosk = SignedKiosk(id=kiosk_id, office_id=OFFICE)
    now = datetime.now(UTC)
    codes = []
    try:
        with make_sessionmaker(engine)() as db:
            residents = list(db.scalars(select(Resident).limit(50)))
            for n in range(count):
                resident = residents[n % len(residents)]
                at = now - timedelta(minutes=count - n)
                if n % 3:
                    letter = LetterRequestCreate(
                        local_ref=f"bench-{n:08d}",
                        service_id="domisili",
                        answers={"keperluan": "Persyaratan administrasi"},
                        submitted_at=at,
                    )
                    codes.append(letters.create(db, kiosk, resident, letter, at).tracking_code)
                else:
                    complaint = ComplaintCreate(
                        local_ref=f"bench-{n:08d}",
                        category="infrastruktur",
                        text="Jalan berlubang di depan sekolah dasar.",
                        submitted_at=at,
                    )
                    codes.append(
                        complaints.submit(db, kiosk, resident, complaint, at).tracking_code
                    )
    finally:
        engine.dispose()
    return codes


def build_requests(codes: list[str], count: int, port: int, rng: random.Random) -> list[bytes]:
    host = f"127.0.0.1:{port}".encode()
    out = []
    for _ in range(count):
        code = (
            "ZZZ-" + "".join(rng.choices("ABCDEFGH", k=6))
            if rng.random() < UNKNOWN_SHARE
            else rng.choice(codes)
        )
        out.append(b"GET /lacak/" + code.encode() + b" HTTP/1.1\r\nHost: " + host + b"\r\n\r\n")
    return out


def run(options: argparse.Namespace) -> int:
    info(machine_note())
    with tempfile.TemporaryDirectory(prefix="anjungan-bench-public-") as folder:
        workdir = Path(folder)
        (workdir / "central.toml").write_text(BENCH_SETTINGS)
        with database(options.database, workdir) as db:
            central_cli(["migrate", "--database-url", db.url], workdir)
            central_cli(["seed", "--database-url", db.url, "--residents", "50"], workdir)
            with central_process(db.url, workdir, workers=1) as server:
                codes = fill(db.url, enroll(db.url, server.port), options.submissions)
                info(f"{options.database}: {len(codes)} submissions to look up, 1 worker")
                count = requests_needed(options.rate, LEAD_IN_S, options.seconds)
                requests = build_requests(codes, count, server.port, random.Random(7))
                try:
                    measured = asyncio.run(
                        run_open_loop(
                            server.port,
                            requests,
                            options.rate,
                            LEAD_IN_S,
                            CONNECTIONS,
                            server_cpu=lambda: cpu_seconds((server.pid,)),
                        )
                    )
                except ClientError as err:
                    raise BenchError(str(err)) from None
    latencies = [s * 1000 for s in measured.latencies()]
    statuses = measured.statuses()
    unexpected = {code: n for code, n in statuses.items() if code not in (200, 404)}
    info(
        f"offered {options.rate:.0f}/s for {measured.seconds:.0f} s: answered "
        f"{measured.answered_per_second(200) + measured.answered_per_second(404):.0f}/s "
        f"(200: {statuses.get(200, 0)}, 404: {statuses.get(404, 0)}"
        + (f", other: {unexpected}" if unexpected else "")
        + f"); p50 {percentile(latencies, 50):.1f} ms, p99 {percentile(latencies, 99):.1f} ms; "
        f"server CPU {measured.server_cpu_s / measured.seconds:.2f} cores"
    )
    info(machine_note("after the run"))
    report(
        f"public tracking page p95 at {options.rate:.0f}/s ({options.database})",
        percentile(latencies, 95),
        "ms",
        "<=",
        TARGET_P95_MS,
    )
    return 1 if unexpected else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--rate", type=float, default=TARGET_RATE, help="requests per second")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured window")
    parser.add_argument("--submissions", type=int, default=3000, help="codes to look up")
    options = parser.parse_args(argv)
    return int(main_wrapper(lambda: run(options)))


if __name__ == "__main__":
    sys.exit(main())
