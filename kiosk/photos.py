"""Project photos for the information screen, kept in a small bounded cache.

The information screen shows each project's photo beside its progress bar. Photos are fetched
by the session's owner thread (never Kivy's) and a kiosk shows the same few photos all day,
so the last ones fetched are kept in memory: at most ``max_entries`` photos and
``max_bytes`` in all, the least recently shown dropped first. Photo ids never name other
pixels (the centre stores a new id for a new photo), so a cached photo is never stale.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

DEFAULT_MAX_ENTRIES = 24
DEFAULT_MAX_BYTES = 4 * 1024 * 1024  # a page of projects' photos at the centre's 400 kB cap


class PhotoCache:
    def __init__(
        self, max_entries: int = DEFAULT_MAX_ENTRIES, max_bytes: int = DEFAULT_MAX_BYTES
    ) -> None:
        if max_entries < 1 or max_bytes < 1:
            raise ValueError("max_entries and max_bytes must be at least 1")
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self._photos: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str], fetch: Callable[[], bytes]) -> bytes:
        """The photo from memory, else from ``fetch`` (whose errors pass through, and nothing
        is kept). The lock is not held while fetching: a slow centre never blocks a hit."""
        with self._lock:
            found = self._photos.get(key)
            if found is not None:
                self._photos.move_to_end(key)
                return found
        photo = fetch()
        if len(photo) <= self._max_bytes:
            self._keep(key, photo)
        return photo

    def _keep(self, key: tuple[str, str], photo: bytes) -> None:
        with self._lock:
            if key in self._photos:
                return
            self._photos[key] = photo
            self._bytes += len(photo)
            while len(self._photos) > self._max_entries or self._bytes > self._max_bytes:
                _oldest, dropped = self._photos.popitem(last=False)
                self._bytes -= len(dropped)

    def __len__(self) -> int:
        return len(self._photos)

    @property
    def size_bytes(self) -> int:
        return self._bytes
