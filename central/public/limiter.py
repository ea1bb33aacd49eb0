"""A token bucket per client address, bounded in memory and safe under concurrent requests.

Public routes need no credentials, so the only brake on a scraper guessing tracking codes is
how fast one address may ask. Each address gets a bucket of ``burst`` tokens refilled at
``per_minute``; a request takes one or is refused with the seconds to wait. The table holds
at most ``max_addresses`` buckets: the least recently seen address is dropped first, which
only ever gives that address a fresh (full) bucket, never another address's tokens. One lock
guards the table, so two requests from one address can never both take its last token.

The limit is per server process: with N worker processes an address gets up to N times the
rate, which the settings' defaults leave room for.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_MAX_ADDRESSES = 100_000  # ~100 bytes each: about 10 MB at most
SECONDS_PER_MINUTE = 60.0


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(
        self,
        per_minute: int,
        burst: int,
        *,
        max_addresses: int = DEFAULT_MAX_ADDRESSES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_minute < 1 or burst < 1 or max_addresses < 1:
            raise ValueError("per_minute, burst and max_addresses must be at least 1")
        self._rate = per_minute / SECONDS_PER_MINUTE  # tokens per second
        self._burst = float(burst)
        self._max = max_addresses
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, address: str) -> float:
        """0.0 when ``address`` may go ahead (a token is taken), else the seconds until it
        may try again."""
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(address)
            if bucket is None:
                bucket = _Bucket(self._burst, now)
                self._buckets[address] = bucket
                if len(self._buckets) > self._max:
                    self._buckets.popitem(last=False)
            else:
                self._buckets.move_to_end(address)
                elapsed = max(0.0, now - bucket.updated)
                bucket.tokens = min(self._burst, bucket.tokens + elapsed * self._rate)
                bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self._rate

    def __len__(self) -> int:
        with self._lock:
            return len(self._buckets)
