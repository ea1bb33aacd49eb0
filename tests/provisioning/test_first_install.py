"""The first version on a fresh PC, run from the wheel itself (`PYTHONPATH=WHEEL python3 -m
provisioning.first_install WHEEL`): with the packages and `kiosk-provision setup`, three
commands from a fresh Debian (issue 14)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.support.wheels import build_wheel

REPO = Path(__file__).resolve().parents[2]


def _wheel_with_the_tools(folder: Path, version: str) -> Path:
    """A stand-in wheel that also carries the real ``provisioning`` package, as the project's
    wheel does."""
    wheel = build_wheel(folder, version)
    with zipfile.ZipFile(wheel, "a") as archive:
        for path in sorted((REPO / "provisioning").rglob("*.py")):
            archive.write(path, str(path.relative_to(REPO)))
    return wheel


def _first_install(wheel: Path, root: Path) -> subprocess.CompletedProcess[str]:
    """Run as on a fresh PC: ``-S`` (no site-packages, so nothing of this checkout's venv is
    importable) and the wheel on PYTHONPATH: only the standard library and the zip."""
    env = {**os.environ, "PYTHONPATH": str(wheel)}
    command = [sys.executable, "-S", "-m", "provisioning.first_install", "--root", str(root)]
    return subprocess.run(
        [*command, "--extras", "", str(wheel)],
        env=env,
        cwd=wheel.parent,  # not this checkout: `-m` would import it from the working folder
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_the_first_version_is_put_in_place_from_the_wheel_alone(tmp_path: Path) -> None:
    wheel = _wheel_with_the_tools(tmp_path, "1.0.0")
    root = tmp_path / "root"
    done = _first_install(wheel, root)
    assert done.returncode == 0, done.stdout + done.stderr
    current = root / "opt/anjungan/current"
    assert os.readlink(current) == "versions/1.0.0"
    assert (current / "bin" / "kiosk").exists()  # the wheel's console script, in its venv
    assert f"sudo {current}/bin/kiosk-provision setup" in done.stdout
    again = _first_install(wheel, root)  # a second first install is update's job
    assert again.returncode == 1
    assert "kiosk-provision update --from" in again.stderr
    assert "Traceback" not in again.stderr


def test_a_file_that_is_not_our_wheel_is_refused_before_anything_is_made(tmp_path: Path) -> None:
    wheel = _wheel_with_the_tools(tmp_path, "1.0.0")
    other = tmp_path / "other-1.0.0-py3-none-any.whl"
    other.write_bytes(wheel.read_bytes())
    root = tmp_path / "root"
    env = {**os.environ, "PYTHONPATH": str(wheel)}
    done = subprocess.run(
        [sys.executable, "-S", "-m", "provisioning.first_install", "--root", str(root), str(other)],
        env=env,
        cwd=wheel.parent,  # not this checkout: `-m` would import it from the working folder
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1 and "is not a wheel of anjungan" in done.stderr
    assert not root.exists()
