"""Heartbeat signatures checked on a thread of their own, beside the event loop.

Why: an Ed25519 verification costs about 110 µs here, a third of the event loop's time per
heartbeat, and ``cryptography`` releases the GIL while it verifies. On its own thread the check
runs on another core while the loop reads and parses the next requests. A request that passes
goes straight on from this thread (to the heartbeat writer) without waking the loop; refusals
that queue up together go back with one wake-up (central/heartbeats/handoff.py). The rules are
``auth.check_signature``'s, unchanged.

The thread starts on demand and ends after ``IDLE_EXIT_S`` without work, like the heartbeat
writer, so an app no longer used (tests build many) leaves no thread behind.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from typing import Any

from central.heartbeats.handoff import settle_from_thread
from central.security.callers import SignedKiosk
from central.security.credentials import KioskCredential
from central.security.kiosk_auth import SignedRequest, check_signature

IDLE_EXIT_S = 10.0
MAX_BATCH = 64  # checks taken together: bounds how long a refusal waits for its answer

Then = Callable[[SignedKiosk], None]
_Check = tuple[SignedRequest, KioskCredential | None, "asyncio.Future[Any]", Then]


class SignatureVerifier:
    """``check`` queues ``check_signature`` for the verifier thread."""

    def __init__(self) -> None:
        self._checks: queue.SimpleQueue[_Check] = queue.SimpleQueue()
        self._thread_lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def check(
        self,
        signed: SignedRequest,
        credential: KioskCredential | None,
        future: asyncio.Future[Any],
        then: Then,
    ) -> None:
        """On the verifier thread: ``then(kiosk)`` for a good signature; otherwise, or when
        ``then`` raises, the exception becomes ``future``'s result (the caller raises it)."""
        self._checks.put((signed, credential, future, then))
        with self._thread_lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="signature-verifier", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                batch = [self._checks.get(timeout=IDLE_EXIT_S)]
            except queue.Empty:
                with self._thread_lock:  # a check put before this lock is taken is seen here
                    if self._checks.empty():
                        self._thread = None
                        return
                continue
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._checks.get_nowait())
                except queue.Empty:
                    break
            settle_from_thread(
                (future, error)
                for signed, credential, future, then in batch
                if (error := _run_check(signed, credential, then)) is not None
            )


def _run_check(
    signed: SignedRequest, credential: KioskCredential | None, then: Then
) -> Exception | None:
    """Never raises: whatever goes wrong is the request's answer, not the thread's end."""
    try:
        then(check_signature(signed, credential))
    except Exception as error:  # noqa: BLE001 - a refusal, or a fault that answers 500
        return error
    return None
