"""The app's heap: the start-up objects set aside from Python's cyclic garbage collector, and
the memory a visit freed given back to the system when the kiosk returns to the attract.

A full (generation 2) collection walks every tracked object while holding the GIL, so every
thread stops for it, the UI thread included, whichever thread's allocation triggered it. A
started app holds a few hundred thousand objects that live as long as it does (Kivy, the kv
rules and bindings, every screen's widgets, the kiosk core's models and clients): bench/ui.py
saw one such collection, triggered while the menu's tiles were built, stop the UI for 850 ms
(250 ms of its own CPU) on a loaded machine. Frozen once the attract screen shows
(``gc.freeze``), they are no longer walked: later collections cover only what was made since
(a session's garbage is still collected).

What a visit leaves is mostly Kivy's: widgets built for it (the information screen's rows,
the form's answers) sit in reference cycles with their parents and bindings, live through
the visit and so reach the oldest generation before they become garbage. Python then
collects them in a full collection whenever the oldest generation has grown by a quarter,
which came every few visits, mid-journey: bench/ui.py timed such collections (60k objects
freed each) at 35-130 ms, and one stopped the information screen for 154 ms of the UI
thread's own CPU. So after ``settle`` full collections wait (``FULL_COLLECTION_SPACING``),
and ``after_visit`` runs one in the frame after the kiosk is back on the attract screen,
when no resident waits for a frame. A kiosk that never returns to the attract (a technician's long
session) still gets one after that many younger collections.

glibc's allocator keeps memory that was freed for reuse, in one arena per thread that
allocated it (the camera's, the scanner's and the session's threads handle large frames and
replies for a moment). bench/ui.py's journeys saw RSS climb some 60 MB between the 10th and
the 50th visit with Python's own live blocks flat, and fall back below the 10th visit's
figure once ``malloc_trim`` ran. So each return to the attract gives the free memory back, on
a thread of its own (the trim takes some 10 ms per 50 MB): a kiosk that runs for weeks keeps
the footprint it had when warm.

glibc also raises the size from which a block gets pages of its own (mmap, returned to the
system the moment it is freed) to the size of every such block freed, from 128 kB up to
32 MB. After the first camera frame (6 MB at 1080p) was freed, every later frame and the
detector's working images came from the arenas instead, and a scan left the other threads'
arena at 41 MB with 28 MB of it free, 23 MB still resident after the trim (free memory
between live blocks). ``map_large_blocks`` fixes the size at ``LARGE_BLOCK``, which turns that
adjustment off: bench/ui.py measured 11 MB less steady RSS (15 visits with a letter's two
scans: 283 MB against 294 MB), the scan preview's rate unchanged.

glibc also gives every thread that allocates an arena of its own, up to eight per core, each
reserving 64 MB and keeping its own free lists and high-water mark. The app's threads are
few and mostly waiting (devices, the session's owner, the outbox, the camera), so
``limit_arenas`` caps them at two before any thread starts: the UI thread keeps the main
heap and the others share one (taking turns at its lock). bench/ui.py measured 10-12 MB
less resident after 30 visits (403 MB against 413-415 MB).
"""

from __future__ import annotations

import ctypes
import gc
import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None where the C library has none (musl)."""
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


_TRIM = _malloc_trim()
M_ARENA_MAX = -8  # glibc's mallopt parameters (malloc.h)
M_MMAP_THRESHOLD = -3
LARGE_BLOCK = 1 << 20
"""Bytes from which a block is mapped on its own: a 1080p frame, the detector's full-size
working images; not the preview's 0.7 MB pictures, which come and go 30 times a second."""
FULL_COLLECTION_SPACING = 1_000
"""Generation-1 collections between two automatic full collections once settled (Python's
default is 10): some 7 million allocations, many journeys' worth."""
ARENAS = 2  # the main heap (the UI thread's) and one for every other thread
_trimming = threading.Lock()  # one trim at a time; a return to attract during one skips


def limit_arenas(count: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas at ``count``; True if the C library took it. Call it before
    any thread starts: an arena a thread already has stays."""
    try:
        mallopt: Callable[[int, int], int] = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False  # not glibc (musl has one heap anyway)
    taken = mallopt(M_ARENA_MAX, count) == 1
    if taken:
        log.info("malloc arenas limited to %d", count)
    return taken


def map_large_blocks(threshold: int = LARGE_BLOCK) -> bool:
    """Give every block of ``threshold`` bytes or more pages of its own, returned to the
    system when it is freed (see the module's notes); True if the C library took it."""
    try:
        mallopt: Callable[[int, int], int] = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False  # not glibc
    taken = mallopt(M_MMAP_THRESHOLD, threshold) == 1
    if taken:
        log.info("blocks of %d kB and more mapped on their own", threshold // 1024)
    return taken


def settle() -> None:
    """Collect what start-up left behind, then freeze the rest, and from then on leave full
    collections to ``after_visit``. Called once, after READY=1 (the collection takes a moment,
    which the attract screen can spare before any resident touches it, and the cold start's
    figure should not)."""
    gc.collect()
    gc.freeze()
    youngest, middle, _oldest = gc.get_threshold()
    gc.set_threshold(youngest, middle, FULL_COLLECTION_SPACING)
    log.info("start-up heap frozen: %d objects out of the collector's way", gc.get_freeze_count())


def after_visit() -> threading.Thread | None:
    """A visit has ended: collect its garbage in one full collection, here on the UI thread
    while nobody waits for it, then give what was freed back to the system (``give_back``,
    whose thread this returns).

    Only once ``settle`` has frozen the start-up heap: until then a full collection walks all
    of it, and ``settle``'s own collection does the same work a frame later. (In the test
    suite's process, where nothing settles, the whole suite's heap is unfrozen: one such
    collection of its 7 million objects held every thread for 6 s.)"""
    if gc.get_freeze_count():
        gc.collect()
    return give_back()


def give_back() -> threading.Thread | None:
    """Return the C allocator's free memory to the system, off the calling (UI) thread; the
    thread started, or None when a trim is still running or the C library cannot."""
    if _TRIM is None or not _trimming.acquire(blocking=False):
        return None
    worker = threading.Thread(target=_trim, name="heap-give-back", daemon=True)
    worker.start()
    return worker


def _trim() -> None:
    try:
        if _TRIM is not None:
            _TRIM(0)
    finally:
        _trimming.release()
