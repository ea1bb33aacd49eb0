"""50 ``kill -9`` of a kiosk process at random moments between outbox write and confirmation:
after the last restart every complaint is at the centre exactly once.

The kiosk is a real child process (tests/outbox/crashy_kiosk.py) with its own outbox file and
a real signed delivery; the centre is the real app on uvicorn in this process. The seed is
printed (``pytest -s``) and can be fixed with ``OUTBOX_KILL_SEED``.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import random
import selectors
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from central.models import Complaint
from tests.outbox.conftest import SignedIn
from tests.outbox.crashy_kiosk import local_ref
from tests.support.central_server import CentralServer

REPO_ROOT = Path(__file__).resolve().parents[2]
KILLS = 50
TOTAL = 200
PER_RUN = 6
MAX_KILL_DELAY_S = 0.03  # after the chosen enqueue: while items are being sent
START_TIMEOUT_S = 30.0


def _unconfirmed(outbox: Path) -> int:
    """Items written but not confirmed, read from the file the killed process left (the
    plain scheduling columns need no key)."""
    with contextlib.closing(sqlite3.connect(outbox)) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM items").fetchone()[0])


def _start(config: Path, run: int, *, drain: bool = False) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "tests.outbox.crashy_kiosk", str(config), "--run", str(run)]
    return subprocess.Popen(
        [*argv, "--drain"] if drain else argv,
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("ANJUNGAN_")},
    )


def _wait_ready(child: subprocess.Popen[str], centre: CentralServer) -> None:
    """Returns once the child says ``ready``; keeps the centre's clock on real time meanwhile
    (the child signs with the real clock)."""
    assert child.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(child.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            centre.clock.set(datetime.now(UTC))
            if selector.select(timeout=0.5):
                line = child.stdout.readline()
                if not line:
                    break
                if line.strip() == "ready":
                    return
    child.kill()
    _, err = child.communicate(timeout=10)
    raise AssertionError(f"the kiosk process did not start: {err[-2000:]}")


def _wait_enqueued(child: subprocess.Popen[str], count: int) -> None:
    """Returns after the child's ``count``-th ``enqueued`` line, or once it idles (nothing
    left to queue): a kill then lands among writes and deliveries, however fast the centre
    answers, rather than after the run has long been confirmed. A reader thread feeds the
    lines, so every wait has a timeout and no line sits unseen in a read buffer."""
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert child.stdout is not None
        with contextlib.suppress(ValueError, OSError):  # closed by communicate() after the kill
            for line in child.stdout:
                lines.put(line.strip())
        lines.put("")  # end of output

    threading.Thread(target=read, name="kiosk-stdout", daemon=True).start()
    seen = 0
    deadline = time.monotonic() + START_TIMEOUT_S
    while seen < count:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return
        if line in ("", "idle"):
            return
        seen += line.startswith("enqueued ")


def _complaint_rows(centre: CentralServer, kiosk_id: str) -> dict[str, int]:
    with centre.context.sessions() as db:
        rows = db.execute(
            select(Complaint.local_ref, func.count())
            .where(Complaint.kiosk_id == kiosk_id)
            .group_by(Complaint.local_ref)
        ).all()
    return {str(ref): int(count) for ref, count in rows}


@pytest.mark.slow
@pytest.mark.parametrize("batched", [False, True], ids=["one_by_one", "batched"])
def test_fifty_kill9_lose_nothing_and_duplicate_nothing(
    centre: CentralServer, signed_in: SignedIn, tmp_path: Path, batched: bool
) -> None:
    seed = int(os.environ.get("OUTBOX_KILL_SEED", random.SystemRandom().randrange(10**6)))
    print(f"\nkill -9 test seed: {seed} (OUTBOX_KILL_SEED={seed} to repeat)")
    rng = random.Random(seed)
    key_file = tmp_path / "identity" / "kiosk.key"
    signed_in.kiosk.key.save(key_file)
    outbox = tmp_path / "outbox.sqlite3"
    config = tmp_path / "kiosk.json"
    config.write_text(
        json.dumps(
            {
                "seed": seed,
                "total": TOTAL,
                "per_run": PER_RUN,
                "outbox": str(outbox),
                "ledger": str(tmp_path / "receipts.txt"),
                "key_file": str(key_file),
                "kiosk_id": signed_in.kiosk.kiosk_id,
                "grant": signed_in.grant,
                "central": centre.url,
                "submitted_at": (datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
                "batched": batched,
            }
        )
    )
    kills_in_flight = 0
    for run in range(KILLS):
        child = _start(config, run)
        _wait_ready(child, centre)
        _wait_enqueued(child, rng.randint(1, PER_RUN))
        time.sleep(rng.uniform(0.0, MAX_KILL_DELAY_S))
        child.send_signal(signal.SIGKILL)
        _, err = child.communicate(timeout=10)
        assert child.returncode == -signal.SIGKILL, f"the kiosk died by itself: {err[-2000:]}"
        kills_in_flight += _unconfirmed(outbox) > 0

    final = _start(config, KILLS, drain=True)
    _wait_ready(final, centre)
    deadline = time.monotonic() + 90
    while final.poll() is None and time.monotonic() < deadline:
        centre.clock.set(datetime.now(UTC))
        time.sleep(0.2)
    out, err = final.communicate(timeout=10)
    print(f"kills: {KILLS}, with items written but unconfirmed: {kills_in_flight}")
    assert final.returncode == 0, err[-2000:]
    assert out.splitlines()[-1] == "drained 0 dead 0"
    expected = {local_ref(seed, i) for i in range(TOTAL)}
    assert _complaint_rows(centre, signed_in.kiosk.kiosk_id) == dict.fromkeys(expected, 1)
    # The kills must really have landed between write and confirmation, or this proves little.
    assert kills_in_flight >= KILLS // 5
