"""What the camera gives the session, with no dependencies: a captured document, and the
complaint photo's shutter and its failure.

Kept apart from ``kiosk.session`` so the camera's process (``kiosk.camera_host``) can answer
with these without importing the session's modules, the centre's client and the contract's
models (some 21 MB of its memory and a fifth of a second of its start).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class ScannedDocument:
    """A checked, encoded page or photo: what a submission attaches."""

    content: bytes
    content_type: str


class PhotoFailed(RuntimeError):
    """The shutter was pressed but the camera gave no photo (no still, or not encodable)."""


class Shutter:
    """One viewfinder's ending: ``take`` (a photo is wanted) or ``close`` (none is)."""

    def __init__(self) -> None:
        self._pressed = threading.Event()
        self._take = False

    def take(self) -> None:
        self._take = True
        self._pressed.set()

    def close(self) -> None:
        self._pressed.set()

    @property
    def pressed(self) -> bool:
        return self._pressed.is_set()

    @property
    def taking(self) -> bool:
        """Pressed to take a photo (not closed)."""
        return self._take and self._pressed.is_set()

    def wait(self, timeout_s: float) -> bool:
        return self._pressed.wait(timeout_s)
