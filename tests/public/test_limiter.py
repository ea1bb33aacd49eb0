"""The public routes' rate limiter on its own: a bucket per address, refilled over time,
bounded in memory, and exact under threads racing for the same address's last tokens."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from central.public.limiter import RateLimiter

pytestmark = pytest.mark.in_process


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_refill_at_the_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=30, burst=3, clock=clock)
    assert [limiter.take("10.0.0.1") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.take("10.0.0.1") == pytest.approx(2.0)  # one token every 2 s
    assert limiter.take("10.0.0.2") == 0.0  # another address has its own bucket
    clock.now += 2.0
    assert limiter.take("10.0.0.1") == 0.0
    assert limiter.take("10.0.0.1") > 0.0
    clock.now += 3600
    assert [limiter.take("10.0.0.1") for _ in range(4)].count(0.0) == 3  # never above burst


def test_table_is_bounded_and_drops_the_least_recent_address() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=1, burst=1, max_addresses=3, clock=clock)
    for address in ("a", "b", "c"):
        assert limiter.take(address) == 0.0
    assert limiter.take("a") > 0.0  # "a" is now the most recent
    assert limiter.take("d") == 0.0
    assert len(limiter) == 3
    assert limiter.take("a") > 0.0  # kept: still limited
    assert limiter.take("b") == 0.0  # "b" was dropped, so it starts afresh


def test_parallel_takes_never_exceed_the_burst() -> None:
    limiter = RateLimiter(per_minute=1, burst=50, clock=Clock())
    start = threading.Barrier(16)

    def hammer(_: int) -> int:
        start.wait()
        return sum(limiter.take("10.0.0.9") == 0.0 for _ in range(100))

    with ThreadPoolExecutor(16) as pool:
        allowed = sum(pool.map(hammer, range(16)))
    assert allowed == 50


def test_nonsense_limits_are_refused() -> None:
    with pytest.raises(ValueError):
        RateLimiter(per_minute=0, burst=1)
