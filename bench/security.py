"""The centre under attack: parallel PIN guessing, oversized bodies, and sign-in timing after.

Against a real ``kiosk-central serve`` process on loopback (SQLite file or a throwaway
PostgreSQL), with residents seeded and a kiosk enrolled through the real endpoint:

1. **Parallel wrong PINs.** 30, then 100 wrong PINs for one resident sent at the same
   moment (one connection each). A PIN the server actually checked leaves one
   ``resident sign-in failed: reason=wrong_pin`` line in its log (``central.security.audit``), so
   the
   figure is those lines: at most 3 per lock window. Any 5xx is counted. The right PIN sent
   right after must be refused (423): the lock holds.
2. **Oversized bodies.** Six 200 MB bodies at once to each kind of route (unauthenticated
   JSON, the heartbeat fast path, signed JSON, the outbox batch, document upload), first with
   their Content-Length declared, then chunked. Every one must be refused (413), and the
   server's resident memory (all its processes) may grow by at most 50 MB at its peak.
3. **Sign-in timing after the fix** is ``bench/login.py``'s measurement, run here with fewer
   rounds (p95 <= 150 ms; the unknown-card and wrong-PIN answers within 10 % of a sign-in).

See docs/benchmarks.md for what each figure means.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import socket
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/x.py` puts only bench/ on the path
    sys.path.insert(0, str(ROOT))

from bench._central import (
    BenchError,
    BenchKiosk,
    central_process,
    database,
    enroll_kiosks,
    info,
    machine_note,
    main_wrapper,
    report,
)
from bench.login import run as run_login_bench
from bench.login import seed
from central.commands.process import CentralProcess
from central.seeding.seed import DemoIdentity

TARGET_CHECKS_PER_WINDOW = 3
TARGET_SERVER_ERRORS = 0
TARGET_RSS_GROWTH_MB = 50.0
HUGE_BYTES = 200 * 1024 * 1024
PARALLEL_BODIES = 6
CHUNK = 256 * 1024
RSS_SAMPLE_S = 0.02
ROUTES = {
    "enrollment (no auth)": ("/v1/enrollments", "application/json"),
    "heartbeat (fast path)": ("/v1/heartbeats", "application/json"),
    "sign-in (signed JSON)": ("/v1/sessions", "application/json"),
    "outbox batch": ("/v1/submissions/batch", "application/json"),
    "document upload": ("/v1/documents", "image/jpeg"),
}
_WRONG_PIN_LINE = "resident sign-in failed: reason=wrong_pin"


# ---------------------------------------------------------------- 1. parallel wrong PINs


def _wrong(pin: str) -> str:
    return f"{(int(pin) + 1) % 1_000_000:06d}"


def _sign_in(port: int, kiosk: BenchKiosk, person: DemoIdentity, pin: str) -> int:
    body = json.dumps({"method": "card", "card_uid": person.card_uid, "pin": pin}).encode()
    headers = kiosk.signer.headers("POST", "/v1/sessions", body)
    headers["Content-Type"] = "application/json"
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        sock.sendall(
            f"POST /v1/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body
        )
        return _status(sock)


def _status(sock: socket.socket) -> int:
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise BenchError("the server closed a connection without answering")
        data += chunk
    return int(data.split(b" ", 2)[1])


def _log_path(server: CentralProcess) -> Path:
    if server.log_path is None:  # central_process always keeps one
        raise BenchError("the centre was started without a log file")
    return server.log_path


def _log_lines(server: CentralProcess, start: int) -> tuple[list[str], int]:
    with _log_path(server).open("rb") as log:
        log.seek(start)
        text = log.read()
    return text.decode(errors="replace").splitlines(), start + len(text)


def parallel_guesses(
    kind: str, server: CentralProcess, kiosk: BenchKiosk, person: DemoIdentity, count: int
) -> None:
    offset = _log_path(server).stat().st_size
    start = threading.Barrier(count)

    def guess(_: int) -> int:
        start.wait()
        return _sign_in(server.port, kiosk, person, _wrong(person.pin))

    with ThreadPoolExecutor(count) as pool:
        statuses = Counter(pool.map(guess, range(count)))
    right_after = _sign_in(server.port, kiosk, person, person.pin)
    time.sleep(0.2)  # the log handler writes as it goes; let the last lines land
    lines, _ = _log_lines(server, offset)
    checked = sum(_WRONG_PIN_LINE in line for line in lines)
    errors = sum(n for status, n in statuses.items() if status >= 500)
    info(
        f"{kind}: {count} parallel wrong PINs answered {dict(sorted(statuses.items()))}; "
        f"the right PIN right after: {right_after} (423 = still locked)"
    )
    suffix = "" if kind == "sqlite" else f"_{kind}"
    report(
        f"parallel_{count}_pins_checked{suffix}", checked, "PINs", "<=", TARGET_CHECKS_PER_WINDOW
    )
    report(f"parallel_{count}_pins_5xx{suffix}", errors, "answers", "<=", TARGET_SERVER_ERRORS)
    if right_after != 423:
        info(f"{kind}: SHORT: the right PIN got {right_after} while the lock should hold")


# ---------------------------------------------------------------- 2. oversized bodies


def _process_tree(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat[stat.rindex(")") + 2 :].split()[1])
    tree = {root}
    grew = True
    while grew:
        found = {pid for pid, parent in parents.items() if parent in tree} - tree
        grew = bool(found)
        tree |= found
    return sorted(tree)


def rss_bytes(pids: Iterable[int]) -> int:
    """Resident memory of these processes, from /proc (a process gone counts 0)."""
    total = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
    return total


class PeakRss:
    """Samples the server's resident memory on a thread until stopped; keeps the peak."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.peak = rss_bytes(pids)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(RSS_SAMPLE_S):
            self.peak = max(self.peak, rss_bytes(self.pids))

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _huge_request(port: int, path: str, content_type: str, chunked: bool) -> int:
    """Sends up to 200 MB until the server answers; its status (0: closed without one)."""
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {HUGE_BYTES}"
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
        f"{framing}\r\n\r\n"
    ).encode()
    piece = b" " * CHUNK
    if chunked:
        piece = b"%x\r\n%s\r\n" % (CHUNK, piece)
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(head)
        sent = 0
        try:
            while sent < HUGE_BYTES:
                readable, _, _ = select.select([sock], [], [], 0)
                if readable:  # answered (or closed) before the body was all sent
                    break
                sock.sendall(piece)
                sent += CHUNK
            else:
                if chunked:
                    sock.sendall(b"0\r\n\r\n")
        except OSError:  # the server closed its side after answering
            pass
        try:
            return _status(sock)
        except (BenchError, OSError):
            return 0


def oversized_bodies(kind: str, server: CentralProcess) -> None:
    pids = _process_tree(server.pid)
    before = rss_bytes(pids)
    refused: Counter[int] = Counter()
    with PeakRss(pids) as peak:
        for chunked in (False, True):
            for name, (path, content_type) in ROUTES.items():
                with ThreadPoolExecutor(PARALLEL_BODIES) as pool:
                    sending = [
                        pool.submit(_huge_request, server.port, path, content_type, chunked)
                        for _ in range(PARALLEL_BODIES)
                    ]
                    statuses = [future.result() for future in sending]
                refused.update(statuses)
                mode = "chunked" if chunked else "declared"
                info(f"{kind}: 6 x 200 MB {mode:<8} to {name:<22} answered {sorted(statuses)}")
    after = rss_bytes(pids)
    total = 2 * len(ROUTES) * PARALLEL_BODIES
    info(
        f"{kind}: server RSS {before / 2**20:.0f} MB before, peak {peak.peak / 2**20:.0f} MB, "
        f"{after / 2**20:.0f} MB after; {refused[413]} of {total} refused with 413"
    )
    suffix = "" if kind == "sqlite" else f"_{kind}"
    report(
        f"huge_bodies_rss_growth{suffix}",
        (peak.peak - before) / 2**20,
        "MB",
        "<=",
        TARGET_RSS_GROWTH_MB,
    )
    report(f"huge_bodies_not_refused{suffix}", total - refused[413], "requests", "<=", 0)


# ---------------------------------------------------------------- the run


def run(kind: str, options: argparse.Namespace, workdir: Path) -> None:
    with ExitStack() as stack:
        db = stack.enter_context(database(kind, workdir))
        people = seed(db.url, options.residents, options.seed)
        if len(people) < 2:
            raise BenchError("need two residents with known PINs")
        server = stack.enter_context(central_process(db.url, workdir, options.workers))
        kiosk = enroll_kiosks(server, db.url, 1)[0]
        info(f"{kind}: kiosk-central serve with {options.workers} worker(s)")
        for person, count in zip(people, (30, 100), strict=False):
            parallel_guesses(kind, server, kiosk, person, count)
        oversized_bodies(kind, server)
    if options.signins:
        login_options = argparse.Namespace(
            signins=options.signins, residents=options.residents, seed=options.seed
        )
        with tempfile.TemporaryDirectory(prefix="anjungan-bench-") as login_dir:
            run_login_bench(kind, login_options, Path(login_dir))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="The centre under attack, against a real kiosk-central server on loopback: "
        "PIN checks per lock window under 30 and 100 parallel wrong PINs, server memory under "
        "six parallel 200 MB bodies per route kind, and sign-in timing after.",
    )
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgres", "both"],
        default="both",
        help="which database to measure (default %(default)s)",
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="server worker processes (default %(default)s)"
    )
    parser.add_argument(
        "--signins",
        type=int,
        default=100,
        help="rounds of bench/login.py's timing after (0 skips it; default %(default)s)",
    )
    parser.add_argument(
        "--residents", type=int, default=20, help="residents to seed (default %(default)s)"
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed (default %(default)s)")
    args = parser.parse_args(argv)
    if args.workers < 1 or args.residents < 2 or args.signins < 0:
        parser.error("--workers must be at least 1, --residents at least 2, --signins >= 0")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    info(machine_note())
    kinds = ["sqlite", "postgres"] if options.database == "both" else [options.database]
    for kind in kinds:
        with tempfile.TemporaryDirectory(prefix="anjungan-bench-") as workdir:
            run(kind, options, Path(workdir))
    return 0


if __name__ == "__main__":
    sys.exit(main_wrapper(main))
