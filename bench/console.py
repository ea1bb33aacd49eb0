"""Issue 15's console figures, each beside its target (a list of sub-benchmarks).

- ``fleet-district``: the fleet page for one district of 10,000 kiosks, server time p95
  <= 300 ms: the first page unfiltered and filtered by state, kecamatan and problem. The
  kiosks are bulk-inserted (one kabupaten's 217 offices, a realistic mix of up, late,
  offline and never-seen kiosks, low and empty paper, 12 heartbeats of history each) and the
  page is requested through the real app in this process (ASGI, no network: server time),
  signed in as a district admin. The alert sweep the page starts at most once a minute is
  measured on its own (``alert-sweep``), and excluded from the page's samples.

More sub-benchmarks join ``SUB_BENCHMARKS`` (the national summary, ingest at scale).
Run: ``.venv/bin/python bench/console.py [--only NAME] [--kiosks N] [--database postgres]``.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `python bench/x.py`: repo

from fastapi.testclient import TestClient

from bench._central import database, info, machine_note, percentile, report
from central.app import create_app
from central.clock import ManualClock
from central.console.alerts import sweep_alerts
from central.db import make_engine, make_sessionmaker
from central.migrate import upgrade
from central.models import HeartbeatRecord, Kiosk, KioskState, Office
from central.security.operators import create_operator
from central.security.roles import Role
from central.seeding.seed import seed_offices
from central.settings import CentralSettings

PAGE_TARGET_MS = 300.0
DISTRICT_KIOSKS = 10_000
HISTORY_PER_KIOSK = 12
SAMPLES = 40
WARMUP = 3
CHUNK = 5_000
PASSWORD = "bench password 1"
NOW = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Setup:
    client: TestClient
    settings: CentralSettings
    clock: ManualClock
    kiosks: int
    kecamatan: str


@dataclass(frozen=True)
class SubBenchmark:
    name: str
    what: str
    run: Callable[[Setup], None]


def _payload(kiosk_id: str, sequence: int, rng: random.Random) -> dict[str, Any]:
    roll = rng.random()
    supply = "out" if roll < 0.02 else "low" if roll < 0.07 else "full"
    reader = "error" if rng.random() < 0.01 else "online"
    return {
        "kiosk_id": kiosk_id,
        "sequence": sequence,
        "sent_at": NOW.isoformat(),
        "boot_id": "bench-boot",
        "uptime_s": 3600.0,
        "versions": {"app": rng.choice(["0.1.0", "0.1.0", "0.1.1"]), "os": "Debian 12"},
        "config_hash": "ab" * 32,
        "app_state": "AVAILABLE" if supply != "out" else "UNAVAILABLE",
        "app_state_reason": None if supply != "out" else "consumables",
        "resources": {"disk_free_mb": 20000, "disk_total_mb": 64000},
        "network": {"interface": "eth0", "rtt_ms": 40.0},
        "outbox_backlog": rng.choice([0, 0, 0, 1, 3]),
        "peripherals": [
            {"name": "printer", "kind": "printer", "state": "online", "supply": supply},
            {"name": "card_reader", "kind": "card_reader", "state": reader},
            {"name": "camera", "kind": "camera", "state": "online"},
        ],
    }


def seed_fleet(url: str, kiosks: int, settings: CentralSettings) -> str:
    """Offices, ``kiosks`` kiosks with their newest state and some history, bulk-inserted;
    the kecamatan with the most kiosks (for the filtered figure)."""
    rng = random.Random(15)
    engine = make_engine(url)
    period = settings.heartbeat_period_s
    with make_sessionmaker(engine)() as db:
        villages = [office.id for office in seed_offices(db)]
        db.commit()
        parents = dict(db.query(Office.id, Office.parent_id).all())
        kiosk_rows, states, history = [], [], []
        for number in range(kiosks):
            kiosk_id = f"KSK-B{number:06d}"
            office = villages[number % len(villages)]
            kiosk_rows.append(
                {
                    "id": kiosk_id,
                    "office_id": office,
                    "public_key": number.to_bytes(32, "big"),
                    "hardware": {},
                    "enrolled_at": NOW - timedelta(days=30),
                }
            )
            roll = rng.random()
            if roll < 0.02:
                continue  # enrolled, never heard from
            age = (
                rng.uniform(0, period)
                if roll < 0.87
                else rng.uniform(2 * period, 3 * period)
                if roll < 0.92
                else rng.uniform(20 * period, 600 * period)
            )
            seen = NOW - timedelta(seconds=age)
            payload = _payload(kiosk_id, HISTORY_PER_KIOSK, rng)
            states.append(
                {"kiosk_id": kiosk_id, "last_seen_at": seen, "sequence": 12, "payload": payload}
            )
            history += [
                {
                    "kiosk_id": kiosk_id,
                    "received_at": seen - timedelta(seconds=period * back),
                    "sequence": HISTORY_PER_KIOSK - back,
                    "payload": payload,
                }
                for back in range(HISTORY_PER_KIOSK)
            ]
        for table, rows in ((Kiosk, kiosk_rows), (KioskState, states), (HeartbeatRecord, history)):
            for start in range(0, len(rows), CHUNK):
                db.execute(table.__table__.insert(), rows[start : start + CHUNK])
        create_operator(db, "bench-admin", PASSWORD, NOW, Role.DISTRICT_ADMIN)
        db.commit()
    engine.dispose()
    counts: dict[str, int] = {}
    for row in kiosk_rows:
        parent = parents[row["office_id"]] or ""
        counts[parent] = counts.get(parent, 0) + 1
    return max(counts, key=lambda key: counts[key])


def _signed_in(settings: CentralSettings, clock: ManualClock) -> TestClient:
    client = TestClient(create_app(settings, clock))
    form = client.get("/console/login")
    match = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert match, "no sign-in form"
    signed = client.post(
        "/console/login",
        data={"csrf": match.group(1), "username": "bench-admin", "password": PASSWORD},
        follow_redirects=False,
    )
    assert signed.status_code == 303, signed.text
    return client


def _timed(client: TestClient, path: str) -> list[float]:
    samples = []
    for index in range(WARMUP + SAMPLES):
        started = time.perf_counter()
        reply = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        assert reply.status_code == 200, f"{path}: HTTP {reply.status_code}"
        if index >= WARMUP:
            samples.append(elapsed)
    return samples


def fleet_district(setup: Setup) -> None:
    for label, path in (
        ("all", "/console/fleet"),
        ("offline", "/console/fleet?state=offline"),
        ("kecamatan", f"/console/fleet?kecamatan={setup.kecamatan}"),
        ("paper_low", "/console/fleet?problem=paper_low"),
        ("page_50", "/console/fleet?page=50"),
    ):
        samples = _timed(setup.client, path)
        info(f"{label}: p50 {percentile(samples, 50):.0f} ms over {len(samples)} requests")
        report(
            f"console_fleet_page_{label}_p95",
            percentile(samples, 95),
            "ms",
            "<=",
            PAGE_TARGET_MS,
        )


def alert_sweep(setup: Setup) -> None:
    app = setup.client.app
    context = app.state.context  # type: ignore[attr-defined]
    samples = []
    for _ in range(3):
        started = time.perf_counter()
        result = sweep_alerts(context.sessions, setup.clock.now(), setup.settings)
        samples.append((time.perf_counter() - started) * 1000)
    info(
        f"alert sweep over {setup.kiosks} kiosks: {min(samples):.0f}-{max(samples):.0f} ms "
        f"(runs at most once a minute per process; last run raised {result.raised}, "
        f"cleared {result.cleared}); no target"
    )


SUB_BENCHMARKS: list[SubBenchmark] = [
    SubBenchmark("alert-sweep", "the alert sweep over the district", alert_sweep),
    SubBenchmark("fleet-district", "fleet page for one district", fleet_district),
]


@contextmanager
def prepared(kiosks: int, kind: str) -> Iterator[Setup]:
    with tempfile.TemporaryDirectory() as folder, database(kind, Path(folder)) as db:
        settings = CentralSettings(database_url=db.url)
        started = time.perf_counter()
        upgrade(db.url)
        kecamatan = seed_fleet(db.url, kiosks, settings)
        info(f"seeded {kiosks} kiosks in {time.perf_counter() - started:.1f} s on {kind}")
        clock = ManualClock(NOW)
        client = _signed_in(settings, clock)
        client.get("/metrics")  # the first request's alert sweep, outside every sample
        yield Setup(client, settings, clock, kiosks, kecamatan)
        client.app.state.context.engine.dispose()  # type: ignore[attr-defined]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=[bench.name for bench in SUB_BENCHMARKS])
    parser.add_argument("--kiosks", type=int, default=DISTRICT_KIOSKS)
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgres"],
        default="sqlite",
        help="a temporary SQLite file (default) or a throwaway PostgreSQL server",
    )
    args = parser.parse_args()
    info(machine_note())
    with prepared(args.kiosks, args.database) as setup:
        for bench in SUB_BENCHMARKS:
            if args.only in (None, bench.name):
                info(f"{bench.name}: {bench.what}")
                bench.run(setup)
    return 0


if __name__ == "__main__":
    sys.exit(main())
