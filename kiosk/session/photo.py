"""The complaint's optional photo, as the session sees it: a shutter the resident presses from
the screen, and the camera that answers it.

The viewfinder runs on the session's owner thread, like a document scan, and shows its
picture through the scanner's ``PreviewSlot``. The resident's press cannot be an intent (the
owner is busy running the viewfinder), so it is a ``Shutter``: a one-shot signal the UI
thread sets and the viewfinder reads between frames. Only a reference and an event are
shared; the photo itself never leaves the owner thread except inside a submission.
"""

from __future__ import annotations

from typing import Protocol

from kiosk.captured import ScannedDocument, Shutter


class Photographer(Protocol):
    """The camera for photos (``kiosk.camera_host.client.RemotePhotographer`` in a kiosk,
    which runs ``kiosk.photo.CameraPhotographer`` in the camera's process)."""

    def prepare(self) -> None:
        """The photo step is on screen: get the camera ready; returns at once."""
        ...

    def photograph(self, shutter: Shutter, timeout_s: float) -> ScannedDocument | None:
        """Show the live picture until the shutter is pressed; the photo (left on screen to
        be kept or retaken) when it was pressed to take one, else None. Raises
        ``PhotoFailed`` when it was pressed but no photo came."""
        ...

    def put_away(self) -> None:
        """Nothing of the photo stays on screen."""
        ...
