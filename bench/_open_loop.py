"""An open-loop HTTP/1.1 load generator: requests leave on a schedule, answered or not.

Why open loop: kiosks ping on their own clocks; none waits for another kiosk's answer. A
closed loop (N connections, each sending its next request when the last is answered) offers
exactly N / latency requests per second: it measures how fast N clients can go, and it hides
a slow answer by sending less meanwhile ("coordinated omission"). Here request i is due at
``start + i / rate``; its latency counts from that moment, so time spent queued in the client
because every connection was busy is the server's latency too, as it would be for a kiosk.

Each connection carries one request at a time (HTTP/1.1 without pipelining, like a kiosk's
``requests`` session). The requests are pre-built bytes; the client parses only the status
line and ``Content-Length`` of each answer, so it costs a few tens of µs of CPU per request
and stays out of the measurement.
"""

from __future__ import annotations

import asyncio
import math
import resource
import time
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import cast

DRAIN_TIMEOUT_S = 30.0  # after the last request is due, how long answers may still take


class ClientError(Exception):
    """A connection failed, or answers were still missing after the drain timeout."""


class KeepAliveConnection(asyncio.Protocol):
    """HTTP/1.1 keep-alive with one request in flight."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._waiter: asyncio.Future[int] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None
        self._fail(ConnectionError(f"server closed the connection ({exc})"))

    def _fail(self, error: Exception) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        head_end = buffer.find(b"\r\n\r\n")
        if head_end < 0:
            return
        head = bytes(buffer[:head_end]).lower()
        at = head.find(b"\r\ncontent-length:")
        if at < 0:
            self._fail(ConnectionError("answer without Content-Length"))
            return
        stop = head.find(b"\r\n", at + 2)
        total = head_end + 4 + int(head[at + 17 : stop if stop >= 0 else None])
        if len(buffer) < total:
            return
        status = int(buffer[9:12])
        del buffer[:total]
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(status)

    def send(self, request: bytes) -> asyncio.Future[int]:
        if self._transport is None:
            raise ConnectionError("connection is closed")
        self._waiter = self._loop.create_future()
        self._transport.write(request)
        return self._waiter

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()


@dataclass
class Measurement:
    """Every request of one run: when it was due, when its answer was in, the status."""

    rate: float  # offered, requests per second
    window_start: float
    window_end: float
    due: array[float] = field(default_factory=lambda: array("d"))
    done: array[float] = field(default_factory=lambda: array("d"))
    status: array[int] = field(default_factory=lambda: array("H"))
    client_cpu_s: float = 0.0
    server_cpu_s: float = 0.0
    database_cpu_s: float = 0.0

    @property
    def seconds(self) -> float:
        return self.window_end - self.window_start

    def answered_per_second(self, status: int) -> float:
        """Answers with ``status`` that arrived inside the window, per second: what the server
        delivered, which falls behind the offered rate when it cannot keep up."""
        start, end = self.window_start, self.window_end
        count = sum(
            1
            for done, code in zip(self.done, self.status, strict=True)
            if code == status and start <= done < end
        )
        return count / self.seconds

    def latencies(self) -> list[float]:
        """Seconds from due to answered, for the requests due inside the window."""
        start, end = self.window_start, self.window_end
        return [
            done - due for due, done in zip(self.due, self.done, strict=True) if start <= due < end
        ]

    def statuses(self) -> dict[int, int]:
        """How many of each status the requests due inside the window got."""
        counts: dict[int, int] = {}
        start, end = self.window_start, self.window_end
        for due, code in zip(self.due, self.status, strict=True):
            if start <= due < end:
                counts[code] = counts.get(code, 0) + 1
        return counts


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def run_open_loop(
    port: int,
    requests: list[bytes],
    rate: float,
    lead_in_s: float,
    connections: int,
    server_cpu: Callable[[], float],
    database_cpu: Callable[[], float] | None = None,
) -> Measurement:
    """Sends ``requests`` at ``rate`` per second over ``connections`` keep-alive connections;
    the first ``lead_in_s`` seconds are traffic before the measured window (pools, caches),
    the window is the rest of the schedule."""
    loop = asyncio.get_running_loop()
    pool = [
        (await loop.create_connection(lambda: KeepAliveConnection(loop), "127.0.0.1", port))[1]
        for _ in range(connections)
    ]
    clock = time.perf_counter  # CLOCK_MONOTONIC, as the loop's own clock on Linux
    first_due = clock() + 0.05
    window_start = first_due + lead_in_s
    result = Measurement(rate, window_start, first_due + len(requests) / rate)
    if result.window_end <= window_start:
        raise ValueError("the schedule ends before the lead-in does: sign more requests")
    due_queue: asyncio.Queue[tuple[float, bytes] | None] = asyncio.Queue()

    def snapshot(sign: float) -> None:
        result.client_cpu_s += sign * _own_cpu()
        result.server_cpu_s += sign * server_cpu()
        if database_cpu is not None:
            result.database_cpu_s += sign * database_cpu()

    async def carry(conn: KeepAliveConnection) -> None:
        while (item := await due_queue.get()) is not None:
            due, request = item
            status = await conn.send(request)
            result.due.append(due)
            result.done.append(clock())
            result.status.append(status)

    async def schedule() -> None:
        for index, request in enumerate(requests):
            due = first_due + index / rate
            wait = due - clock()
            if wait > 0:
                await asyncio.sleep(wait)
            due_queue.put_nowait((due, request))
        for _ in pool:
            due_queue.put_nowait(None)

    to_loop = loop.time() - clock()
    opening = loop.call_at(window_start + to_loop, snapshot, -1.0)
    closing = loop.call_at(result.window_end + to_loop, snapshot, 1.0)
    carriers = [asyncio.ensure_future(carry(conn)) for conn in pool]
    tasks = [asyncio.ensure_future(schedule()), *carriers]
    try:
        timeout = result.window_end - clock() + DRAIN_TIMEOUT_S
        _, unfinished = await asyncio.wait(
            tasks, timeout=timeout, return_when=asyncio.FIRST_EXCEPTION
        )
        failed = [task.exception() for task in tasks if task.done() and task.exception()]
        if failed:
            raise ClientError(f"a client connection failed: {failed[0]}")
        if unfinished:
            raise ClientError(f"answers still missing {DRAIN_TIMEOUT_S:g} s after the last was due")
        await asyncio.sleep(max(0.0, closing.when() - loop.time()) + 0.01)  # let it snapshot
    finally:  # also on Ctrl-C: nothing left running, every connection closed
        opening.cancel()
        closing.cancel()
        _cancel(tasks)
        await asyncio.gather(*tasks, return_exceptions=True)
        for conn in pool:
            conn.close()
    return result


def _cancel(tasks: Iterable[asyncio.Future[None]]) -> None:
    for task in tasks:
        task.cancel()


def requests_needed(rate: float, lead_in_s: float, seconds: float) -> int:
    return math.ceil(rate * (lead_in_s + seconds))
