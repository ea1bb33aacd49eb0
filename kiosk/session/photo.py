"""The complaint's optional photo, as the session sees it: a shutter the resident presses from
the screen, and the camera that answers it.

The viewfinder runs on the session's owner thread, like a document scan, and shows its
picture through the scanner's ``PreviewSlot``. The resident's press cannot be an intent (the
owner is busy running the viewfinder), so it is a ``Shutter``: a one-shot signal the UI
thread sets and the viewfinder reads between frames. Only a reference and an event are
shared; the photo itself never leaves the owner thread except inside a submission.
"""

from __future__ import annotations

import threading
from typing import Protocol

from kiosk.session.flows import ScannedDocument


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


class Photographer(Protocol):
    """The camera for photos (``kiosk.photo.CameraPhotographer`` in a kiosk)."""

    def photograph(self, shutter: Shutter, timeout_s: float) -> ScannedDocument | None:
        """Show the live picture until the shutter is pressed; the photo (left on screen to
        be kept or retaken) when it was pressed to take one, else None. Raises
        ``PhotoFailed`` when it was pressed but no photo came."""
        ...

    def put_away(self) -> None:
        """Nothing of the photo stays on screen."""
        ...
