"""screens/heap.py: start-up garbage is collected, and what remains is out of the collector's
walks; freed memory the C allocator kept goes back to the system (no window needed)."""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from screens import heap


class Node:
    """Something the collector tracks; a cycle of them only the collector can free."""

    other: Node | None = None


@pytest.fixture
def unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()  # the rest of the test process keeps its usual collector


def test_settle_collects_start_up_garbage_then_freezes_what_lives_on(unfrozen: None) -> None:
    kept = Node()
    garbage = Node()
    garbage.other = garbage  # a cycle: reference counting alone never frees it
    gone = weakref.ref(garbage)
    del garbage
    heap.settle()
    assert gone() is None  # collected before the freeze, not kept forever
    assert gc.get_freeze_count() > 0
    assert not any(o is kept for o in gc.get_objects())  # no collection walks it any more
    made_after = Node()
    assert any(o is made_after for o in gc.get_objects())  # new objects are still collected


def _rss_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(next(x for x in status.splitlines() if x.startswith("VmRSS:")).split()[1]) / 1024


def test_give_back_returns_freed_memory_the_allocator_kept() -> None:
    """Blocks too big for Python's own allocator, most freed but every 50th kept: the heap
    cannot shrink from its top, so the freed pages stay resident until trimmed."""
    blocks = [bytes(2000) for _ in range(30000)]  # some 60 MB
    pinned = blocks[::50]
    del blocks
    before = _rss_mb()
    worker = heap.give_back()
    assert worker is not None and worker.name == "heap-give-back"
    worker.join(timeout=10)
    assert before - _rss_mb() > 30  # most of the 60 MB are back with the system
    assert len(pinned) == 600


def test_give_back_skips_while_a_trim_runs() -> None:
    heap._trimming.acquire()  # a trim in progress
    try:
        assert heap.give_back() is None
    finally:
        heap._trimming.release()


ARENA_PROBE = """
import ctypes, sys, threading
from screens import heap
if sys.argv[1] == "limited":
    assert heap.limit_arenas()
kept, ready = [], threading.Barrier(9)
def allocate():
    kept.append(ctypes.create_string_buffer(4096))  # from this thread's arena
    ready.wait()  # all alive at once, so none can inherit another's arena
threads = [threading.Thread(target=allocate) for _ in range(8)]
for thread in threads:
    thread.start()
ready.wait()
for thread in threads:
    thread.join()
ctypes.CDLL(None).malloc_stats()  # one "Arena N:" paragraph per arena, on stderr
"""


def _arenas_after_eight_threads(mode: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", ARENA_PROBE, mode],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    return sum(line.startswith("Arena ") for line in done.stderr.splitlines())


def test_limit_arenas_keeps_threads_to_two_malloc_arenas() -> None:
    """Eight threads allocating at once: glibc gives each an arena of its own (64 MB reserved
    each, with its own free memory kept), unless the app limited them first."""
    assert _arenas_after_eight_threads("unlimited") > heap.ARENAS
    assert _arenas_after_eight_threads("limited") == heap.ARENAS
