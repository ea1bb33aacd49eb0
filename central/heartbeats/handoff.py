"""Answers from a worker thread back to the event loops waiting for them.

The heartbeat path hands work to threads of its own (signature checks, the group-commit
writer) and awaits a future per request. Waking a loop from another thread costs a write to
its self-pipe, so the answers of one batch go back together: one wake-up per loop, not one
per request.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

log = logging.getLogger(__name__)


def settle_from_thread(answers: Iterable[tuple[asyncio.Future[Any], Any]]) -> None:
    """Set each future's result on its own loop; call from any thread but the loops'."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Any], Any]]] = {}
    for future, answer in answers:
        by_loop.setdefault(future.get_loop(), []).append((future, answer))
    for loop, settled in by_loop.items():
        try:
            loop.call_soon_threadsafe(_resolve, settled)
        except RuntimeError:  # that loop has closed: nobody is waiting any more
            log.debug("answers dropped: event loop closed")


def _resolve(settled: list[tuple[asyncio.Future[Any], Any]]) -> None:
    for future, answer in settled:
        if not future.done():  # done: the request was cancelled meanwhile
            future.set_result(answer)
