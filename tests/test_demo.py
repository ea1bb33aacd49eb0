"""`kiosk demo` is the README's first command: it must work end to end, from nothing."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import cv2

from kiosk.demo_output import DEMO_ENTRIES, MARKER


def _qr(png: Path) -> str:
    image = cv2.imread(str(png))
    text, *_ = cv2.QRCodeDetector().detectAndDecode(image)
    if not text:
        text, *_ = cv2.QRCodeDetectorAruco().detectAndDecode(image)
    return str(text)


def test_demo_runs_the_whole_journey(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "kiosk"),
            "demo",
            "--out",
            str(out),
            "--residents",
            "30",
            "--no-stay",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "heartbeat accepted" in result.stdout
    assert "outbox after reconnecting: 0 waiting" in result.stdout
    receipts = sorted((out / "receipts").glob("*.png"))
    assert len(receipts) == 3  # letter, queue ticket, complaint saved offline
    # The receipt's QR opens the demo centre's public tracking page (docs/public.md).
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/lacak/SKT-[A-Z0-9]{6}", _qr(receipts[0]))
    key = out / "state" / "identity" / "kiosk.key"
    assert key.stat().st_mode & 0o077 == 0
    # A rerun removes only what the demo writes, so that list must name everything it wrote.
    assert {p.name for p in out.iterdir()} <= {MARKER, *DEMO_ENTRIES}
    for step in ("seeding", "starting the central server", "enrolling", "waiting for the outbox"):
        assert f"== {step}" in result.stdout  # every step that can take a second says so
    assert re.search(r"hashing \d+ distinct demo PINs", result.stderr)
