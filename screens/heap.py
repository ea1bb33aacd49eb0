"""The app's start-up heap, set aside from Python's cyclic garbage collector.

A full (generation 2) collection walks every tracked object while holding the GIL, so every
thread stops for it, the UI thread included, whichever thread's allocation triggered it. A
started app holds a few hundred thousand objects that live as long as it does (Kivy, the kv
rules and bindings, every screen's widgets, the kiosk core's models and clients): bench/ui.py
saw one such collection, triggered while the menu's tiles were built, stop the UI for 850 ms
(250 ms of its own CPU) on a loaded machine. Frozen once the attract screen shows
(``gc.freeze``), they are no longer walked: later collections cover only what was made since
(a session's garbage is still collected).
"""

from __future__ import annotations

import gc
import logging

log = logging.getLogger(__name__)


def settle() -> None:
    """Collect what start-up left behind, then freeze the rest. Called once, after READY=1
    (the collection takes a moment, which the attract screen can spare before any resident
    touches it, and the cold start's figure should not)."""
    gc.collect()
    gc.freeze()
    log.info("start-up heap frozen: %d objects out of the collector's way", gc.get_freeze_count())
