"""The shipped units pass ``systemd-analyze verify`` silently and score low on exposure.

``verify`` exits 0 on a misspelt key and only warns on stderr, so any stderr fails (and a test
proves the check sees a misspelt key). ``security --offline=yes`` scores each unit as written;
the agent units (``kiosk run`` and the health agent) must stay <= 4.5; the touchscreen app's
score is printed by bench/operations.py.
"""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from provisioning.install import KIOSK_USER, PAM_SERVICE, STATE_DIR
from provisioning.update import CURRENT, INSTALL_DIR
from tests.systemd.staging import UNITS_SOURCE, staging_root, unit_files

AGENT_UNITS = ("anjungan-kiosk.service", "anjungan-health.service")
AGENT_EXPOSURE_LIMIT = 4.5
ANALYZE = shutil.which("systemd-analyze")

pytestmark = pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze (Debian: systemd)")


def verify(root: Path, unit_dir: Path, names: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ANALYZE), "verify", f"--root={root}", "--man=no", *names],
        cwd=unit_dir,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def exposure(root: Path, unit: str) -> float:
    result = subprocess.run(
        [str(ANALYZE), "security", "--offline=yes", f"--root={root}", "--no-pager", unit],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    found = re.search(r"Overall exposure level for \S+: (\d+(?:\.\d+)?)", result.stdout)
    assert found, result.stdout + result.stderr
    return float(found.group(1))


def test_every_unit_verifies_with_nothing_on_stderr(tmp_path: Path) -> None:
    units = unit_files()
    assert {u.name for u in units} >= {
        "anjungan-kiosk.service",
        "anjungan-app.service",
        "anjungan-health.service",
        "anjungan-health.timer",
        "anjungan-firstboot.service",
    }
    unit_dir = staging_root(tmp_path)
    result = verify(tmp_path, unit_dir, [u.name for u in units])
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_the_check_catches_a_misspelt_key(tmp_path: Path) -> None:
    broken = tmp_path / "src" / "anjungan-health.service"
    broken.parent.mkdir()
    text = (UNITS_SOURCE / broken.name).read_text()
    broken.write_text(text.replace("ProtectHome=", "ProtectHom="))
    root = tmp_path / "root"
    unit_dir = staging_root(root, [broken])
    result = verify(root, unit_dir, [broken.name])
    assert "ProtectHom" in result.stderr


@pytest.mark.parametrize("unit", AGENT_UNITS)
def test_agent_units_are_hardened(tmp_path: Path, unit: str) -> None:
    staging_root(tmp_path)
    assert exposure(tmp_path, unit) <= AGENT_EXPOSURE_LIMIT


def test_the_exposure_check_tells_a_bare_unit_from_a_hardened_one(tmp_path: Path) -> None:
    bare = tmp_path / "src" / "anjungan-bare.service"
    bare.parent.mkdir()
    bare.write_text("[Service]\nExecStart=/opt/anjungan/current/bin/kiosk run\n")
    root = tmp_path / "root"
    staging_root(root, [bare])
    assert exposure(root, bare.name) > AGENT_EXPOSURE_LIMIT


def test_the_timer_starts_the_health_agent_every_60_seconds() -> None:
    timer = (UNITS_SOURCE / "anjungan-health.timer").read_text()
    settings = dict(
        line.split("=", 1) for line in timer.splitlines() if "=" in line and line[0] != "#"
    )
    assert settings["Unit"] == "anjungan-health.service"
    assert float(settings["RandomizedDelaySec"]) > 0
    result = subprocess.run(
        [str(ANALYZE), "calendar", "--iterations=3", settings["OnCalendar"]],
        env={**os.environ, "TZ": "UTC"},
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    stamps = [
        datetime.fromisoformat(found)
        for found in re.findall(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC", result.stdout)
    ]
    assert len(stamps) == 3, result.stdout
    assert {b - a for a, b in pairwise(stamps)} == {timedelta(seconds=60)}


def test_the_wheel_ships_every_file_in_systemd() -> None:
    """setup.cfg's data_files name each file: a new unit left out would not reach a kiosk."""
    config = configparser.ConfigParser()
    config.read(UNITS_SOURCE.parent / "setup.cfg")
    shipped = {
        line.strip()
        for value in config["options.data_files"].values()
        for line in value.splitlines()
        if line.strip()
    }
    present = {
        str(path.relative_to(UNITS_SOURCE.parent))
        for path in UNITS_SOURCE.rglob("*")
        if path.is_file()
    }
    assert shipped == present


def test_the_units_start_what_install_and_update_lay_out() -> None:
    """The units, `kiosk-provision install` and `update` must agree on every path."""
    executables = str(INSTALL_DIR / CURRENT / "bin")
    for unit in unit_files():
        text = unit.read_text()
        for line in text.splitlines():
            if line.startswith("ExecStart="):
                command = line.removeprefix("ExecStart=").split()
                programs = [part for part in command if part.startswith("/opt/")]
                assert programs, line
                assert all(p.startswith(executables + "/") for p in programs), line
            if line.startswith("StateDirectory="):
                assert f"/var/lib/{line.removeprefix('StateDirectory=')}" == str(STATE_DIR)
            if line.startswith("ReadWritePaths="):
                assert str(STATE_DIR) in line.removeprefix("ReadWritePaths=").split(), line
            if line.startswith("PAMName="):
                assert line.removeprefix("PAMName=") == PAM_SERVICE.name
            if line.startswith("User="):
                assert line.removeprefix("User=") == KIOSK_USER
