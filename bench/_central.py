"""Shared plumbing for the central server's benchmarks (not a benchmark itself).

Both benchmarks measure the real thing: ``kiosk-central serve`` as its own process on a free
loopback port, over a real SQLite file or a throwaway PostgreSQL, with kiosks enrolled through
the real enrollment endpoint and every request signed by the kiosk's own ``RequestSigner``.
Everything started here is stopped again, also on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # `python bench/x.py` puts only bench/ on the path
    sys.path.insert(0, str(REPO_ROOT))

from bench._report import info, report  # noqa: F401 - re-exported for the benches
from central.commands.process import (
    CentralProcess,
    CentralStartError,
    central_command,
)
from central.contract import models as wire
from central.db import make_engine, make_sessionmaker
from central.security.enrollment import create_token
from kiosk.identity import KioskKey
from kiosk.signing import RequestSigner

OFFICE = "35.10.01.2001"  # a desa seeded from the Banyuwangi data
HARDWARE = wire.HardwareSummary(
    hostname="bench-kiosk",
    machine="x86_64",
    os="Linux",
    cpu_count=2,
    ram_mb=4096,
    disk_mb=64000,
    app_version="bench",
)


class BenchError(Exception):
    """Set-up failed (server did not start, enrollment refused): no figure can be measured."""


# ---------------------------------------------------------------- output and statistics


def machine_note(when: str = "before start") -> str:
    """Cores and load: client and server share this machine, so both shape every figure."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"machine: {os.cpu_count()} cores, load average {load} {when}"


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of unsorted values; NaN when there are none."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


# ---------------------------------------------------------------- signals and processes


def _raise_interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main_wrapper(run: Callable[[], int]) -> int:
    """Runs ``run()`` so SIGTERM unwinds like Ctrl-C (every ``finally`` cleans up) and a
    set-up failure prints one clear line instead of a traceback."""
    signal.signal(signal.SIGTERM, _raise_interrupt)
    signal.signal(signal.SIGHUP, _raise_interrupt)
    try:
        return run()
    except KeyboardInterrupt:
        print("interrupted: servers stopped, temporary files removed", file=sys.stderr)
        return 130
    except (BenchError, CentralStartError) as err:
        print(f"bench set-up failed: {err}", file=sys.stderr)
        return 1


def _clean_environment() -> dict[str, str]:
    """No ANJUNGAN_* settings from the caller's shell may change what is measured."""
    return {k: v for k, v in os.environ.items() if not k.startswith("ANJUNGAN_")}


def central_cli(args: list[str], workdir: Path, timeout_s: float = 300) -> str:
    """Run one ``kiosk-central`` sub-command with an empty config dir; its stdout."""
    argv = [*central_command(), *args[:1], "--config-dir", str(workdir), *args[1:]]
    try:
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            env=_clean_environment(),
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise BenchError(f"kiosk-central {args[0]} took longer than {timeout_s:.0f} s") from None
    if done.returncode != 0:
        raise BenchError(f"kiosk-central {args[0]} failed: {done.stderr.strip()[-500:]}")
    return done.stdout


def cpu_seconds(root_pids: Iterable[int]) -> float:
    """User+system CPU of these processes and all their descendants, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:  # exited while we looked
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        parents[int(entry)] = int(fields[1])
        times[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
    wanted = set(root_pids)
    grew = True
    while grew:
        found = {pid for pid, parent in parents.items() if parent in wanted} - wanted
        grew = bool(found)
        wanted |= found
    return sum(times.get(pid, 0.0) for pid in wanted)


def central_process(database_url: str, workdir: Path, workers: int) -> CentralProcess:
    """The centre's own launcher (``central.commands.process``) with the benches' settings: an empty
    config dir, no ANJUNGAN_* from the caller's shell, warnings only, output in ``workdir``."""
    args = ["--config-dir", str(workdir), "--database-url", database_url]
    args += ["--workers", str(workers), "--log-level", "warning"]
    log_path = workdir / f"central-{time.monotonic_ns()}.log"
    return CentralProcess(args, env=_clean_environment(), log_path=log_path)


# ---------------------------------------------------------------- databases


@dataclass(frozen=True)
class Database:
    url: str
    kind: str
    server_pids: tuple[int, ...]  # the database server's own processes (none for SQLite)


@contextmanager
def database(kind: str, workdir: Path) -> Iterator[Database]:
    """An empty database: a SQLite file in ``workdir`` or a fresh PostgreSQL server."""
    if kind == "sqlite":
        yield Database(f"sqlite:///{workdir / 'central.sqlite3'}", kind, ())
        return
    from tests.support.postgres import PostgresServer

    try:
        server = PostgresServer()
    except RuntimeError as err:
        raise BenchError(str(err)) from None
    try:
        server.start()
        pid_file = server.root / "data" / "postmaster.pid"
        postmaster = int(pid_file.read_text().split()[0])
        yield Database(server.new_database(), kind, (postmaster,))
    finally:
        server.stop()


# ---------------------------------------------------------------- HTTP and kiosks


def request_json(
    port: int,
    method: str,
    path: str,
    body: bytes | None,
    headers: dict[str, str],
    timeout_s: float = 10,
    connection: http.client.HTTPConnection | None = None,
) -> tuple[int, Any]:
    """One blocking request on loopback; the status and the decoded JSON body (or None)."""
    conn = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout_s)
    try:
        conn.request(method, path, body=body, headers=headers)
        reply = conn.getresponse()
        raw = reply.read()
    finally:
        if connection is None:
            conn.close()
    return reply.status, (json.loads(raw) if raw else None)


@dataclass(frozen=True)
class BenchKiosk:
    kiosk_id: str
    signer: RequestSigner


def enroll_kiosks(
    server: CentralProcess, database_url: str, count: int, office: str = OFFICE
) -> list[BenchKiosk]:
    """Enroll ``count`` kiosks the way a technician does: one one-time token each (written
    straight into ``database_url``, the server's database), then the kiosk's own key pair
    POSTed to the server's /v1/enrollments."""
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as db:
            now = datetime.now(UTC)
            tokens = [create_token(db, office, 3600, now).token for _ in range(count)]
    finally:
        engine.dispose()
    kiosks = []
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        for token in tokens:
            key = KioskKey.generate()
            body = wire.EnrollmentRequest(
                token=token, public_key=key.public_key_b64(), hardware=HARDWARE
            ).model_dump_json()
            status, answer = request_json(
                server.port,
                "POST",
                "/v1/enrollments",
                body.encode(),
                {"Content-Type": "application/json"},
                connection=conn,
            )
            if status != 201:
                raise BenchError(f"enrollment refused with {status}: {answer}")
            kiosks.append(BenchKiosk(answer["kiosk_id"], RequestSigner(answer["kiosk_id"], key)))
    finally:
        conn.close()
    return kiosks


if __name__ == "__main__":
    print("bench/_central.py is the benchmarks' helper module, not a benchmark")
