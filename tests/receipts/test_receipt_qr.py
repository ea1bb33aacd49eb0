"""The camera's watch for a receipt's QR (the status screen's "Pindai QR"): printed receipts
(the real renderer and the ESC/POS emulator), photographed lying on the tray, shown to the
simulated camera at the kiosk's 1920x1080; the watch reads the code on its own thread, feeds
the preview slot meanwhile, ends by itself on a code or at its timeout, and hands nothing on
when stopped."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from drivers.camera import Camera, SimulatedSource
from drivers.printer import PROFILE_58MM, PROFILE_80MM, PrinterProfile
from kiosk.receipt_qr import ReceiptQrReader
from kiosk.scanning import CameraPreviewSlot
from tests.journeys.conftest import page_photo
from tests.receipts.conftest import context, print_out
from tests.receipts.test_receipts import KINDS, Kind

TRACKING_URL = "https://desa.example.id/lacak/{code}"
WAIT_S = 30.0  # generous: six helpers share two cores here


def on_the_tray(kind: Kind, profile: PrinterProfile, target: Path) -> Path:
    """A photo of the printed receipt on a grey tray, 16:9 as the camera sees it."""
    printed = print_out(kind.build(context("id", tracking_url=TRACKING_URL)), profile)
    slip = np.asarray(printed.image.convert("RGB"))[:, :, ::-1]
    height = slip.shape[0] + 200
    width = height * 16 // 9
    tray = np.full((height, width, 3), (90, 100, 110), np.uint8)
    left = (width - slip.shape[1]) // 2
    tray[100 : 100 + slip.shape[0], left : left + slip.shape[1]] = slip
    cv2.imwrite(str(target), tray)
    return target


class Reads:
    """What the watch handed on, and when."""

    def __init__(self) -> None:
        self.codes: list[str | None] = []
        self.done = threading.Event()

    def __call__(self, code: str | None) -> None:
        self.codes.append(code)
        self.done.set()


@pytest.fixture
def source() -> SimulatedSource:
    return SimulatedSource()


@pytest.fixture
def camera(source: SimulatedSource) -> Iterator[Camera]:
    with Camera(source, width=1920, height=1080, fps=15) as running:
        yield running


@pytest.mark.parametrize("profile", [PROFILE_58MM, PROFILE_80MM], ids=lambda p: p.name)
@pytest.mark.parametrize(
    "kind",
    [k for k in KINDS if k.name in {"letter", "queue", "queued-bansos"}],
    ids=lambda k: k.name,
)
def test_a_printed_receipt_on_the_tray_gives_its_code(
    kind: Kind, profile: PrinterProfile, camera: Camera, source: SimulatedSource, tmp_path: Path
) -> None:
    source.files = [on_the_tray(kind, profile, tmp_path / "tray.png")]
    slot, reads = CameraPreviewSlot(), Reads()
    reader = ReceiptQrReader(camera, slot, reads)
    started = time.monotonic()
    reader.start()
    assert reads.done.wait(WAIT_S), "no code read"
    print(f"{kind.name} {profile.name}: read in {time.monotonic() - started:.2f} s")
    assert reads.codes == [kind.reference]
    assert not reader.watching
    assert slot.latest() is None  # the watch ended: no picture of the receipt stays


def test_the_watch_shows_the_tray_and_gives_up_at_its_timeout(
    camera: Camera, source: SimulatedSource, tmp_path: Path
) -> None:
    source.files = [page_photo(tmp_path / "page.jpg")]  # a page, but no QR on it
    slot, reads = CameraPreviewSlot(), Reads()
    reader = ReceiptQrReader(camera, slot, reads, timeout_s=2.0)
    reader.start()
    deadline = time.monotonic() + WAIT_S
    while slot.latest() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert slot.latest() is not None  # the resident sees the tray while it looks
    assert reads.done.wait(WAIT_S)
    assert reads.codes == [None] and slot.latest() is None


def test_a_stopped_watch_hands_nothing_on(
    camera: Camera, source: SimulatedSource, tmp_path: Path
) -> None:
    source.files = [page_photo(tmp_path / "page.jpg")]
    slot, reads = CameraPreviewSlot(), Reads()
    reader = ReceiptQrReader(camera, slot, reads)
    reader.start()
    reader.start()  # a second press while it watches starts nothing more
    assert reader.watching
    reader.stop()
    assert not reader.watching
    source.files = [on_the_tray(KINDS[0], PROFILE_80MM, tmp_path / "tray.png")]
    assert not reads.done.wait(3.0)  # the receipt came too late: nobody is looking
    assert [t.name for t in threading.enumerate()].count("receipt-qr") == 0
