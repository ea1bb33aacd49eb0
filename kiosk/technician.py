"""Who may open maintenance mode: the technician PIN or a technician card, throttled.

Attempts are counted before they are checked: ``check_pin`` takes a try under the lock and
only then runs scrypt (tens of milliseconds, on the caller's worker thread, never the UI's),
so however many checks run at once, at most ``MAX_TRIES`` PINs are tried before the lock,
which doubles with each lock-out up to ``MAX_LOCK_S``. Cards are not throttled: a card UID
is read by the reader, not typed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from enum import Enum

from kiosk.config.secrets import verify_secret

MAX_TRIES = 3  # wrong PINs before a lock-out
FIRST_LOCK_S = 60.0
MAX_LOCK_S = 15 * 60.0


class Verdict(Enum):
    OPEN = "open"
    WRONG = "wrong"
    LOCKED = "locked"  # too many wrong PINs: wait for ``locked_for``
    NOT_SET = "not_set"  # no technician PIN configured: maintenance by PIN is off


class TechnicianGate:
    def __init__(
        self,
        pin_hash: str | None,
        card_hashes: Sequence[str] = (),
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._pin_hash = pin_hash
        self._card_hashes = tuple(card_hashes)
        self._clock = clock
        self._lock = threading.Lock()
        self._tries = 0  # tries taken since the last success or lock-out
        self._locked_until = 0.0
        self._lock_s = FIRST_LOCK_S

    def locked_for(self) -> float:
        """Seconds until PINs are checked again (0: not locked)."""
        with self._lock:
            return max(0.0, self._locked_until - self._clock())

    def check_pin(self, pin: str) -> Verdict:
        if self._pin_hash is None:
            return Verdict.NOT_SET
        with self._lock:  # take a try first: the count holds whatever runs in parallel
            now = self._clock()
            if now < self._locked_until:
                return Verdict.LOCKED
            if self._locked_until:  # a lock-out has ended: three more tries
                self._locked_until, self._tries = 0.0, 0
            if self._tries >= MAX_TRIES:  # the last tries are still being checked
                return Verdict.LOCKED
            self._tries += 1
        if verify_secret(pin, self._pin_hash):
            with self._lock:
                self._tries = 0
                self._lock_s = FIRST_LOCK_S
            return Verdict.OPEN
        with self._lock:
            if self._tries >= MAX_TRIES and not self._locked_until:
                self._locked_until = self._clock() + self._lock_s
                self._lock_s = min(MAX_LOCK_S, self._lock_s * 2)
        return Verdict.WRONG

    @property
    def has_cards(self) -> bool:
        return bool(self._card_hashes)

    def card_opens(self, uid_hex: str) -> bool:
        return any(verify_secret(uid_hex, stored) for stored in self._card_hashes)
