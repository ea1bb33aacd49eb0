"""`kiosk journey` as a person runs it: a subprocess, an enrolled kiosk, a real centre."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from provisioning.enroll import enroll
from tests.journeys.conftest import Rig, kiosk_config_dir


def test_the_summary_counts_the_receipts_it_wrote(rig: Rig) -> None:
    """Counted after the printer is closed, in the right number ("1 receipt"), and each file
    named (issue 12, item 18)."""
    second = rig.tmp / "second-kiosk"
    second.mkdir()
    config_dir = kiosk_config_dir(second)
    enroll(config_dir, rig.central.url, rig.central.enrollment_token("35.10.01.2001"))
    person = rig.people[0]
    script = second / "queue.toml"
    script.write_text(
        f'[[step]]\ndo = "nik"\nnik = "{person.nik}"\n[[step]]\ndo = "pin"\n'
        f'pin = "{person.pin}"\n[[step]]\ndo = "choose"\nservice = "antrian"\n'
        '[[step]]\ndo = "submit"\n'
    )
    out = second / "receipts"
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "kiosk"),
            "journey",
            "--script",
            str(script),
            "--config-dir",
            str(config_dir),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    written = sorted(out.glob("*.png"))
    assert len(written) == 1
    assert f"4 steps, 1 receipt in {out}" in result.stdout
    assert str(written[0]) in result.stdout
