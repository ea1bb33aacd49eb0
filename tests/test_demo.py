"""`kiosk demo` is the README's first command: it must work end to end, from nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


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
    assert result.returncode == 0, result.stderr
    assert "heartbeat sent: HTTP 202" in result.stdout
    assert "signed in:" in result.stdout
    catalog = json.loads((out / "catalog.json").read_text())
    assert catalog["office"]["id"] == "35.10.01.2001"
    assert len(catalog["services"]) == 10
    assert (out / "central.sqlite3").exists()
    key = out / "state" / "identity" / "kiosk.key"
    assert key.stat().st_mode & 0o077 == 0
