"""`kiosk config` as a technician runs it: the installed command, a real config directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

KIOSK = str(Path(sys.executable).parent / "kiosk")


def _kiosk(config_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ANJUNGAN_CONFIG_DIR": str(config_dir)}
    return subprocess.run(
        [KIOSK, "config", *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_set_get_check_round_trip(tmp_path: Path) -> None:
    assert _kiosk(tmp_path, "set", "kiosk.mode", "demo").returncode == 0  # simulated devices
    assert _kiosk(tmp_path, "set", "printer.profile", "58mm").returncode == 0
    got = _kiosk(tmp_path, "get", "printer.profile")
    assert got.returncode == 0 and got.stdout.strip() == "58mm"
    check = _kiosk(tmp_path, "check")
    assert check.returncode == 0 and "config OK" in check.stdout
    assert (tmp_path / "kiosk.d" / "90-local.toml").exists()


def test_typo_gets_a_hint_and_writes_nothing(tmp_path: Path) -> None:
    result = _kiosk(tmp_path, "set", "printer.prfile", "58mm")
    assert result.returncode == 2
    assert "printer.profile" in result.stderr
    assert not (tmp_path / "kiosk.d" / "90-local.toml").exists()


def test_broken_file_names_file_line_and_key(tmp_path: Path) -> None:
    (tmp_path / "kiosk.toml").write_text('[printer]\nprofile = "58mm"\nport = "ninety"\n')
    result = _kiosk(tmp_path, "check")
    assert result.returncode == 1
    assert (
        "kiosk.toml" in result.stderr
        and "line 3" in result.stderr
        and "printer.port" in result.stderr
    )
