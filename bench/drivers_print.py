"""Printer and camera benchmarks (issue 3): render time, status round trip, frame hand-off.

- Receipt with QR → ESC/POS bytes, for both profiles (58 mm renders the QR as a raster).
- Status round trip (``DLE EOT 1/2/4``, parsed) to the emulator over TCP loopback.
- Camera latest-frame overhead at 1920x1080: the time from the source handing over a frame to
  a waiting consumer holding it, through the grab thread and the latest-frame slot.
- Camera resume at 1920x1080 (no target): from ``watching()`` on a resting camera to its first
  frame, with the simulator and with OpenCV opening a video file (its open path; not a V4L2
  camera's, whose open and first exposure are the device's own).

Each figure is the 95th percentile of many runs, so one slow run on a shared machine does not
decide it, but a regular slowness does.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # `python bench/x.py` puts only bench/ on the path
    sys.path.insert(0, str(REPO_ROOT))

import numpy as np

from drivers.camera import Camera
from drivers.camera.frame import Image
from drivers.emulator import PrinterEmulator, TcpPrinterServer
from drivers.printer import (
    PRINTERS,
    PROFILE_58MM,
    PROFILE_80MM,
    Align,
    PrinterProfile,
    Receipt,
)
from drivers.printer.render import RenderedReceipt, render


def report(name: str, value: float, unit: str, target: float) -> None:
    verdict = "ok" if value <= target else "short"
    print(f"bench: {name} = {value:.2f} {unit} (target <= {target:g}) {verdict}")


def p95_ms(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] * 1000


def timed(action: Callable[[], object], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return samples


def queue_ticket(number: int) -> Receipt:
    code = f"K{number:03d}-2M9A"
    return (
        Receipt()
        .title("KANTOR DESA BLIMBINGSARI")
        .text("Kec. Rogojampi, Kab. Banyuwangi", align=Align.CENTER)
        .big_number(f"A-{number:03d}")
        .pair("Layanan", "Surat Keterangan")
        .pair("Tanggal", "12-05-2025 09:14")
        .pair("NIK", "3510********0001")
        .rule()
        .qr(f"https://desa.example.id/lacak/{code}")
        .text(f"Kode lacak: {code}", bold=True)
        .cut()
    )


def _render_next(tickets: Iterator[Receipt], profile: PrinterProfile) -> RenderedReceipt:
    return render(next(tickets), profile)


def bench_render() -> None:
    for profile in (PROFILE_58MM, PROFILE_80MM):
        tickets = iter([queue_ticket(n) for n in range(300)])  # distinct codes: no caching helps
        samples = timed(partial(_render_next, tickets, profile), runs=300)
        report(f"receipt_with_qr_to_escpos_{profile.name}", p95_ms(samples), "ms", 10)


def bench_status_round_trip() -> None:
    emulator = PrinterEmulator()
    with TcpPrinterServer(emulator, port=0) as server:
        printer = PRINTERS.create("network", host="127.0.0.1", port=server.port, poll_period=None)
        try:
            printer.refresh_status()  # connect once; the kiosk keeps its connection
            samples = timed(printer.refresh_status, runs=500)
        finally:
            printer.close()
    report("printer_status_round_trip_tcp", p95_ms(samples), "ms", 50)


class _PacedSource:
    """A 1080p camera at 60 fps: ``read`` waits for the next frame like V4L2 does."""

    paced = True

    def __init__(self) -> None:
        rng = np.random.default_rng(3)
        self._frames = [rng.integers(0, 255, (1080, 1920, 3), dtype=np.uint8) for _ in range(4)]
        self._n = 0
        self.handed_at: dict[int, float] = {}
        """Frame number → when ``read`` returned it (the camera numbers frames from 1)."""

    def describe(self) -> str:
        return "bench source"

    def open(self, width: int, height: int) -> None:
        """Always there."""

    def read(self) -> Image | None:
        time.sleep(1 / 60)
        self._n += 1
        self.handed_at[self._n] = time.monotonic()
        return self._frames[self._n % len(self._frames)]

    def set_size(self, width: int, height: int) -> None:
        """Fixed size."""

    def close(self) -> None:
        """Nothing to release."""


def bench_camera_overhead(frames: int = 240) -> None:
    delays: list[float] = []
    source = _PacedSource()
    camera = Camera(source, width=1920, height=1080, fps=0)
    with camera.watching(), camera:  # watched from the start: no probe read to skip over
        last = camera.latest(timeout=5).number
        while len(delays) < frames:
            frame = camera.next_frame(after=last, timeout=5)
            delays.append(time.monotonic() - source.handed_at[frame.number])
            last = frame.number
    report("camera_latest_frame_overhead_1080p", p95_ms(delays), "ms/frame", 2)


def first_frames_after_resume(camera: Camera, runs: int) -> list[float]:
    """Seconds from each watch's start to its first frame, the camera resting in between."""
    delays = []
    with camera:
        for _ in range(runs):
            time.sleep(0.2)  # the grab thread notices the last watcher left and closes the source
            started = time.perf_counter()
            with camera.watching():
                camera.latest(timeout=5)
            delays.append(time.perf_counter() - started)
    return delays


def bench_camera_resume(runs: int = 40) -> None:
    import tempfile

    import cv2

    from drivers.camera import opencv_camera, simulated_camera

    size: dict[str, Any] = {"width": 1920, "height": 1080, "fps": 30, "idle_probe_period": 600}
    simulated = first_frames_after_resume(simulated_camera(**size), runs)
    with tempfile.TemporaryDirectory() as folder:
        video = str(Path(folder) / "tray.avi")
        writer = cv2.VideoWriter(video, cv2.VideoWriter.fourcc(*"MJPG"), 30, (1920, 1080))
        frame = np.random.default_rng(5).integers(0, 255, (1080, 1920, 3), dtype=np.uint8)
        for _ in range(10):
            writer.write(frame)
        writer.release()
        opened = first_frames_after_resume(opencv_camera(source=video, loop=True, **size), runs)
    for name, delays in (("simulator", simulated), ("OpenCV video file", opened)):
        print(
            f"  camera resume to first frame, {name}, 1920x1080: median "
            f"{statistics.median(delays) * 1000:.1f} ms, p95 {p95_ms(delays):.1f} ms "
            f"({runs} resumes)"
        )


def main() -> int:
    bench_render()
    bench_status_round_trip()
    bench_camera_overhead()
    bench_camera_resume()
    return 0


if __name__ == "__main__":
    sys.exit(main())
