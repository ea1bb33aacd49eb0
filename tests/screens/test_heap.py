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


@pytest.fixture
def thresholds() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)  # nor does settle's spacing of full collections outlive a test


def test_settle_collects_start_up_garbage_then_freezes_what_lives_on(
    unfrozen: None, thresholds: None
) -> None:
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


def _probe(script: str, mode: str) -> subprocess.CompletedProcess[str]:
    """``script`` run with ``mode`` in a fresh interpreter from the repository's root."""
    return subprocess.run(
        [sys.executable, "-c", script, mode],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )


def _arenas_after_eight_threads(mode: str) -> int:
    done = _probe(ARENA_PROBE, mode)
    return sum(line.startswith("Arena ") for line in done.stderr.splitlines())


def test_limit_arenas_keeps_threads_to_two_malloc_arenas() -> None:
    """Eight threads allocating at once: glibc gives each an arena of its own (64 MB reserved
    each, with its own free memory kept), unless the app limited them first."""
    assert _arenas_after_eight_threads("unlimited") > heap.ARENAS
    assert _arenas_after_eight_threads("limited") == heap.ARENAS



VISITS_PROBE = """
import gc, sys
from screens import heap
class Node:
    other = None
def visit():  # what a visit builds: cycles that live a while (into the oldest generation)
    alive = []
    for _ in range(60):
        batch = [Node() for _ in range(3000)]
        for node in batch:
            node.other = node
        alive.extend(batch)
    alive.clear()
full = 0
def count(phase, info):
    global full
    full += phase == "start" and info["generation"] == 2
if sys.argv[1] == "settled":
    heap.settle()
gc.callbacks.append(count)
for _ in range(3):
    visit()
print(full, gc.get_threshold()[2])
"""


def _full_collections_in_three_visits(mode: str) -> tuple[int, int]:
    """Full collections Python ran by itself over three visits' worth of cycles, and the
    oldest generation's threshold, in a fresh interpreter: how often a full collection
    comes depends on how big the oldest generation already is, which a test process
    cannot control."""
    full, threshold = _probe(VISITS_PROBE, mode).stdout.split()
    return int(full), int(threshold)


def test_settled_full_collections_wait_for_the_end_of_a_visit() -> None:
    assert _full_collections_in_three_visits("default")[0] > 0
    assert _full_collections_in_three_visits("settled") == (0, heap.FULL_COLLECTION_SPACING)


AFTER_VISIT_PROBE = """
import gc, sys, weakref
from screens import heap
class Node:
    other = None
if sys.argv[1] == "settled":
    heap.settle()
garbage = Node()
garbage.other = garbage
gone = weakref.ref(garbage)
for _ in range(3):
    gc.collect(1)  # the cycle reaches the oldest generation, as a visit's widgets do
del garbage
assert gone() is not None
worker = heap.after_visit()
worker.join(timeout=10)
print(gone() is None, worker.name)
"""


def _after_a_visit(mode: str) -> tuple[bool, str]:
    """Whether a cycle in the oldest generation was collected by ``after_visit``, and the
    name of the thread it started, in a fresh interpreter (in this one a full collection
    walks the whole suite's heap)."""
    collected, worker = _probe(AFTER_VISIT_PROBE, mode).stdout.split()
    return collected == "True", worker


def test_after_a_visit_its_garbage_is_collected_and_the_memory_given_back() -> None:
    assert _after_a_visit("settled") == (True, "heap-give-back")


def test_before_the_heap_settles_a_visit_leaves_the_full_collection_to_settle() -> None:
    assert _after_a_visit("unsettled") == (False, "heap-give-back")


LARGE_BLOCK_PROBE = """
import ctypes, sys
from screens import heap
if sys.argv[1] == "mapped":
    assert heap.map_large_blocks()
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
class Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]
libc.mallinfo2.restype = Mallinfo2
libc.free(libc.malloc(6_220_800))  # a 1080p frame, freed
mapped = libc.mallinfo2().hblks  # blocks mapped on their own
frame = libc.malloc(6_220_800)  # the next one
print(libc.mallinfo2().hblks - mapped)
"""


def test_large_blocks_keep_pages_of_their_own_after_one_is_freed() -> None:
    """glibc's default raises its mapping threshold past a freed 6 MB frame, so the next frame
    comes from an arena (and its memory stays there when freed); with ``map_large_blocks`` it
    is mapped on its own again."""
    assert int(_probe(LARGE_BLOCK_PROBE, "default").stdout) == 0
    assert int(_probe(LARGE_BLOCK_PROBE, "mapped").stdout) == 1
