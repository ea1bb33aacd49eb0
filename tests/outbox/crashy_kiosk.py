"""A kiosk process for the kill -9 test: it queues complaints in its outbox and sends them to
the real centre, and is killed at random moments by the test.

Run as ``python -m tests.outbox.crashy_kiosk CONFIG.json [--run N] [--drain]``; with
``"batched": true`` in the config it sends through the kiosk's batching ``CentreDelivery``
(``POST /v1/submissions/batch``), else one complaint per request. The plan is
fixed by the config: complaint ``i`` always has local_ref ``k9-<seed>-<i>`` and the same
body, as the session would have built it once. A ledger file plays the printed receipt: a
line is appended (and fsynced) after ``enqueue`` returns. Killed between the commit and the
ledger line, the next run enqueues the same complaint again: refused as a duplicate if still
queued, or sent once more (the centre answers from its record) if already confirmed; either
way one row.

Each run queues up to ``per_run`` new complaints, sends them and idles until killed;
``--drain`` queues the rest, waits for an empty outbox and exits. stdout lines: ``ready``,
``enqueued REF``, ``delivered REF``, ``idle``, ``drained N dead M``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import sys
import time
from datetime import datetime
from pathlib import Path

import requests

from common.events import EventBus
from kiosk.central_client import CentralClient
from kiosk.delivery import CentreDelivery
from kiosk.identity import KioskKey
from kiosk.outbox import Backoff, Deliver, DuplicateLocalRef, ItemDelivered, Outbox
from kiosk.signing import RequestSigner, SignedAuth
from tests.outbox.delivery import HttpDelivery, complaint


def local_ref(seed: int, index: int) -> str:
    return f"k9-{seed}-{index:04d}"


def _ledger(path: Path) -> set[int]:
    """Indices whose receipt 'printed'; a torn last line (killed mid-write) does not count."""
    if not path.exists():
        return set()
    text = path.read_text()
    lines = text.split("\n")[:-1]  # only newline-terminated lines were written whole
    return {int(line) for line in lines if line.isdigit()}


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("config", type=Path)
    parser.add_argument("--drain", action="store_true")
    parser.add_argument("--run", type=int, default=0, help="seeds this run's pacing")
    args = parser.parse_args()
    config = json.loads(args.config.read_text())
    seed, total, per_run = int(config["seed"]), int(config["total"]), int(config["per_run"])
    ledger_path = Path(config["ledger"])
    submitted_at = datetime.fromisoformat(config["submitted_at"])

    session = requests.Session()
    key = KioskKey.load(Path(config["key_file"]))
    session.auth = SignedAuth(RequestSigner(config["kiosk_id"], key))
    bus = EventBus()
    bus.subscribe(ItemDelivered, lambda event: _say(f"delivered {event.local_ref}"))
    signer = RequestSigner(config["kiosk_id"], key)
    deliver: Deliver = (  # the kiosk's own batching delivery, or the plain one-by-one sender
        CentreDelivery(CentralClient(config["central"], signer, retries=0))
        if config.get("batched")
        else HttpDelivery(session, config["central"])
    )
    outbox = Outbox(
        Path(config["outbox"]),
        key,
        deliver,
        max_backoff_s=1,
        bus=bus,
        backoff=Backoff(max_s=1, base_s=0.05),
    )
    outbox.start()
    _say("ready")

    done = _ledger(ledger_path)
    todo = [i for i in range(total) if i not in done]
    if not args.drain:
        todo = todo[:per_run]
    jitter = random.Random(seed * 1000 + args.run)
    with ledger_path.open("a") as ledger:
        for index in todo:
            ref = local_ref(seed, index)
            body = complaint(ref, index, submitted_at)
            # DuplicateLocalRef: committed by a run killed before its "receipt", still queued.
            with contextlib.suppress(DuplicateLocalRef):
                outbox.enqueue("complaint", body, headers={"X-Resident-Grant": config["grant"]})
            ledger.write(f"{index}\n")
            ledger.flush()
            os.fsync(ledger.fileno())
            _say(f"enqueued {ref}")
            time.sleep(jitter.uniform(0.0, 0.01))

    deadline = time.monotonic() + 120
    while outbox.backlog() and time.monotonic() < deadline:
        time.sleep(0.01)
    if not args.drain:  # wait to be killed, so a kill never finds the process already gone
        _say("idle")
        time.sleep(120)
        return 3
    left = outbox.backlog()
    dead = len(outbox.dead_letters())
    outbox.close(timeout_s=10)
    _say(f"drained {left} dead {dead}")
    return 0 if left == 0 and dead == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
