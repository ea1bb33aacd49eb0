"""Cameras for document capture: OpenCV devices or files, and a simulator with fault switches.

``CAMERAS.create(name, **options)``: ``opencv`` (``source`` = index, ``/dev/videoN`` or a
video file) or ``simulated`` (``files`` = images/videos, else a moving test pattern). Common
options: ``width``, ``height``, ``still_width``, ``still_height``, ``fps``, ``bus``,
``device_name``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from drivers.base import DeviceKind, Registry
from drivers.camera.camera import Camera
from drivers.camera.frame import CameraUnavailable, Frame, FrameReady
from drivers.camera.simulated import SimulatedSource
from drivers.camera.source import FrameSource, OpenCvSource


def opencv_camera(
    *, source: int | str = 0, loop: bool = False, timeout: float = 2.0, **options: Any
) -> Camera:
    if isinstance(source, str) and source.isdigit():
        source = int(source)
    return Camera(OpenCvSource(source, loop=loop, timeout=timeout), **options)


def simulated_camera(*, files: Sequence[str | Path] = (), **options: Any) -> Camera:
    return Camera(SimulatedSource(files), **options)


CAMERAS: Registry[Camera] = Registry(
    DeviceKind.CAMERA, {"opencv": opencv_camera, "simulated": simulated_camera}
)

__all__ = [
    "CAMERAS",
    "Camera",
    "CameraUnavailable",
    "Frame",
    "FrameReady",
    "FrameSource",
    "OpenCvSource",
    "SimulatedSource",
]
