"""`kiosk demo` is the README's first command: it must work end to end, from nothing."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import cv2

from kiosk.demo.output import DEMO_ENTRIES, MARKER
from tests.support.qr import decode_qr

BLANK_STD = 5.0  # grey levels: a blank or black frame varies less than this


def _not_blank(png: Path) -> bool:
    image = cv2.imread(str(png), cv2.IMREAD_GRAYSCALE)
    return image is not None and float(image.std()) > BLANK_STD


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
        env={k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY"}},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "heartbeat accepted" in result.stdout
    assert "outbox after reconnecting: 0 waiting" in result.stdout
    receipts = sorted((out / "receipts").glob("*.png"))
    assert len(receipts) == 3  # letter, queue ticket, complaint saved offline
    # The touchscreen app's act, headless: every screen of the tour photographed, not blank.
    shots = sorted((out / "app" / "screens").glob("*.png"))
    names = {shot.stem.split("-", 1)[1] for shot in shots}
    assert {"attract", "pin", "menu", "form-keyboard", "review-letter", "done-printed"} <= names
    assert {"information-en", "countdown", "done-qr-no-paper"} <= names
    assert all(_not_blank(shot) for shot in shots)
    app_receipts = sorted((out / "app" / "receipts").glob("*.png"))
    assert len(app_receipts) == 2  # queue number, letter (the third visit had no paper)
    assert "-A-" in decode_qr(app_receipts[0]) and "SKT-" in decode_qr(app_receipts[1])
    assert f"screenshots of {len(shots)} screens" in result.stdout
    # The receipt's QR opens the demo centre's public tracking page (docs/public.md).
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/lacak/SKT-[A-Z0-9]{6}", decode_qr(receipts[0]))
    key = out / "state" / "identity" / "kiosk.key"
    assert key.stat().st_mode & 0o077 == 0
    # A rerun removes only what the demo writes, so that list must name everything it wrote.
    assert {p.name for p in out.iterdir()} <= {MARKER, *DEMO_ENTRIES}
    for step in (
        "seeding",
        "starting the central server",
        "enrolling",
        "waiting for the outbox",
        "the touchscreen app on a virtual display",
    ):
        assert f"== {step}" in result.stdout  # every step that can take a second says so
    assert re.search(r"hashing \d+ distinct demo PINs", result.stderr)
