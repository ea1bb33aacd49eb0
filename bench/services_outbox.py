"""Outbox benchmarks (issue 4): drain rate to a loopback centre, and 10,000 queued submissions
surviving a restart.

The centre is a real ``kiosk-central serve`` process (one uvicorn worker, SQLite in WAL mode)
on a free loopback port, so the kiosk side (this process: outbox, sealing, signing, HTTP
client) and the centre do not share one interpreter and one GIL, as on a real kiosk. The
drain uses the kiosk's own delivery (``kiosk.delivery.CentreDelivery`` on the real
``CentralClient``), which sends up to 50 items per ``POST /v1/submissions/batch``, each with
the resident's submission grant, exactly as the outbox sends them in the field. For
comparison the same outbox is also drained one item per request (the single routes).

Run: ``.venv/bin/python bench/services_outbox.py [--drain N] [--restart N]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # `python bench/x.py` puts only bench/ on the path
    sys.path.insert(0, str(REPO_ROOT))

from bench._central import central_process
from bench._report import info, report
from central.contract.models import EnrollmentRequest, EnrollmentResponse
from central.db import make_engine, make_sessionmaker
from central.security.enrollment import create_token
from kiosk.central_client import CentralClient
from kiosk.delivery import CentreDelivery
from kiosk.identity import KioskKey
from kiosk.outbox import Deliver, DeliveryResult, Outbox, OutboxItem, new_local_ref
from kiosk.signing import RequestSigner, SignedAuth
from tests.outbox.delivery import HttpDelivery, complaint, sign_in
from tests.support.central_server import HARDWARE, prepare_database

OFFICE = "35.10.01.2001"
GRANT = "X-Resident-Grant"
DRAIN_TARGET = 300.0
RESTART_TARGET = 10_000


def _cpu_s(root: int) -> float:
    """User+system CPU seconds of a process and its children (uvicorn workers), from /proc."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(entry.name) == root or int(fields[1]) == root:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def enroll(database_url: str, url: str) -> tuple[KioskKey, RequestSigner, requests.Session]:
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as db:
            token = create_token(db, OFFICE, 3600, datetime.now(UTC)).token
    finally:
        engine.dispose()
    key = KioskKey.generate()
    body = EnrollmentRequest(token=token, public_key=key.public_key_b64(), hardware=HARDWARE)
    reply = requests.post(
        url + "/v1/enrollments",
        data=body.model_dump_json(),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    reply.raise_for_status()
    kiosk_id = EnrollmentResponse.model_validate_json(reply.content).kiosk_id
    signer = RequestSigner(kiosk_id, key)
    session = requests.Session()
    session.auth = SignedAuth(signer)
    return key, signer, session


@dataclass(frozen=True)
class Drain:
    rate: float
    left: int
    dead: int
    elapsed_s: float
    kiosk_ms: float  # CPU per submission
    centre_ms: float


def _drain(
    path: Path, key: KioskKey, deliver: Deliver, count: int, headers: dict[str, str], pid: int
) -> Drain:
    """Queue ``count`` complaints, then time the sender emptying the outbox."""
    outbox = Outbox(path, key, deliver, max_backoff_s=5)
    for n in range(count):
        ref = new_local_ref()
        outbox.enqueue("complaint", complaint(ref, n), local_ref=ref, headers=headers)
    cpu_kiosk, cpu_centre = time.process_time(), _cpu_s(pid)
    started = time.perf_counter()
    outbox.start()
    deadline = started + 600
    while outbox.backlog() and time.perf_counter() < deadline:
        time.sleep(0.005)
    elapsed = time.perf_counter() - started
    left = outbox.backlog()
    drain = Drain(
        rate=(count - left) / elapsed,
        left=left,
        dead=len(outbox.dead_letters()),
        elapsed_s=elapsed,
        kiosk_ms=(time.process_time() - cpu_kiosk) * 1000 / count,
        centre_ms=(_cpu_s(pid) - cpu_centre) * 1000 / count,
    )
    outbox.close()
    return drain


def bench_drain(count: int, workers: int, workdir: Path) -> None:
    database_url = f"sqlite:///{workdir / 'central.sqlite3'}"
    people = prepare_database(database_url, residents=5)
    with central_process(database_url, workdir, workers) as server:
        url, pid = server.url, server.pid
        key, signer, session = enroll(database_url, url)
        grant = sign_in(session, url, people[0].nik, people[0].pin)
        headers = {GRANT: grant}
        load_before = os.getloadavg()[0]
        batched = _drain(
            workdir / "outbox.sqlite3",
            key,
            CentreDelivery(CentralClient(url, signer, retries=0)),
            count,
            headers,
            pid,
        )
        load_after = os.getloadavg()[0]
        single = _drain(
            workdir / "outbox-single.sqlite3",
            key,
            HttpDelivery(session, url),
            max(100, count // 5),
            headers,
            pid,
        )
    report("outbox drain to loopback centre", batched.rate, "submissions/s", ">=", DRAIN_TARGET)
    info(
        f"{count} complaints in batches of up to 50, {batched.left} left, {batched.dead} "
        f"dead-lettered, {batched.elapsed_s:.1f} s; CPU per submission: kiosk side "
        f"{batched.kiosk_ms:.2f} ms, centre {batched.centre_ms:.2f} ms ({workers} centre "
        f"worker(s); 2 cores shared, load average {load_before:.1f} before, {load_after:.1f} after)"
    )
    info(
        f"one item per request, for comparison: {single.rate:.0f}/s; CPU per submission: "
        f"kiosk side {single.kiosk_ms:.2f} ms, centre {single.centre_ms:.2f} ms "
        f"(load average {os.getloadavg()[0]:.1f})"
    )


def _no_delivery(_item: OutboxItem) -> DeliveryResult:
    raise RuntimeError("the restart benchmark never sends")


def bench_restart(count: int, workdir: Path) -> None:
    path = workdir / "restart.sqlite3"
    key = KioskKey.generate()
    outbox = Outbox(path, key, _no_delivery, max_backoff_s=5)
    started = time.perf_counter()
    refs = []
    for n in range(count):
        ref = new_local_ref()
        refs.append(ref)
        outbox.enqueue("complaint", complaint(ref, n), local_ref=ref, headers={GRANT: "g" * 120})
    enqueue_s = time.perf_counter() - started
    assert outbox.close()
    started = time.perf_counter()
    reopened = Outbox(path, key, _no_delivery, max_backoff_s=5)
    items = list(reopened.items())
    reopen_s = time.perf_counter() - started
    survivors = sum(
        1
        for item, ref in zip(items, refs, strict=False)
        if item.local_ref == ref and item.payload["local_ref"] == ref
    )
    reopened.close()
    report("queued submissions surviving a restart", survivors, f"of {count}", ">=", count)
    info(
        f"reopen + decrypt all {len(items)}: {reopen_s:.2f} s; enqueue (fsync each): "
        f"{enqueue_s / count * 1000:.2f} ms per submission; file {path.stat().st_size >> 20} MiB"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--drain", type=int, default=2000, help="submissions to drain")
    parser.add_argument("--restart", type=int, default=RESTART_TARGET, help="queued, reopened")
    parser.add_argument("--workers", type=int, default=1, help="centre uvicorn workers")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-outbox-") as tmp:
        workdir = Path(tmp)
        bench_drain(args.drain, args.workers, workdir)
        bench_restart(args.restart, workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
