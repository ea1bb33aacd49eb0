"""A camera frame and the camera's events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from common.events import Event
from drivers.base import DeviceError

Image = npt.NDArray[np.uint8]

BLANK_LEVEL = 16
"""Brightest sampled pixel below this: lens covered, lights off or a dead sensor."""


def as_image(mat: npt.NDArray[Any] | None) -> Image | None:
    """OpenCV's loosely typed result as 8-bit BGR; no copy when it already is (the usual case)."""
    return None if mat is None else mat.astype(np.uint8, copy=False)


@dataclass(frozen=True, eq=False)
class Frame:
    """One BGR frame. ``number`` counts every frame the grab thread took, so a consumer that
    sees it jump knows it skipped stale frames (latest-frame semantics, by design)."""

    image: Image
    number: int
    captured_at: float

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])

    def looks_blank(self) -> bool:
        """Cheap check on a sparse grid of pixels (a few thousand, not millions)."""
        return int(self.image[::16, ::16].max(initial=0)) < BLANK_LEVEL


@dataclass(frozen=True)
class FrameReady(Event):
    """A new frame is the latest one. Carries the frame itself: no copy is made."""

    device: str
    frame: Frame


class CameraUnavailable(DeviceError):
    """No frame within the timeout: the camera is unplugged, hung or still starting."""
