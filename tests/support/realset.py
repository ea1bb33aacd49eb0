"""Real labelled camera frames (SmartDoc 2015 style): the detector's measure on real photos.

A set is a directory of photos plus ``truth.jsonl``, one line per photo: ``file``, ``quad``
(top-left, top-right, bottom-right, bottom-left, in pixels) and ``doc_size_mm_x10``. The
project ships twelve such frames under ``bench/data/realdocs-dev/`` (CC BY 4.0, see its
README); the bench and the tests score the detector on them beside the synthetic splits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from kiosk.capture.geometry import Quad

TRUTH_FILE = "truth.jsonl"
MAX_TRUTH_BYTES = 1_000_000  # a few hundred lines at most; bound what is read


@dataclass(frozen=True)
class RealFrame:
    path: Path
    quad: Quad  # the page's true corners, clockwise from top-left, frame pixels
    size_mm: tuple[float, float]  # the page's (width, height)

    @property
    def name(self) -> str:
        return self.path.name

    def image(self) -> npt.NDArray[Any]:
        image = cv2.imread(str(self.path), cv2.IMREAD_COLOR)
        if image is None:
            raise ValueError(f"{self.path}: not a readable image")
        return image


def load(directory: Path) -> list[RealFrame]:
    """The labelled frames of ``directory``, in the order of its truth file."""
    truth = directory / TRUTH_FILE
    if truth.stat().st_size > MAX_TRUTH_BYTES:
        raise ValueError(f"{truth}: larger than {MAX_TRUTH_BYTES} bytes")
    frames = []
    for line in truth.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        width, height = (float(v) / 10.0 for v in row["doc_size_mm_x10"])
        frames.append(RealFrame(directory / row["file"], np.array(row["quad"], np.float64),
                                (width, height)))
    return frames
