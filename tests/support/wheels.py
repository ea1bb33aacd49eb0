"""Small real wheels of a stand-in ``anjungan`` and a service manager for them, for the update
tests and bench/operations.py.

The stand-in's ``kiosk run`` does what the update needs to see of the real one: it writes the
status file (its version, its pid) and stays up; a version built ``healthy=False`` writes a
failing status and exits 1 after a moment, as a broken release would. ``ServiceManager`` plays
systemd: ``restart()`` stops the running ``/opt/anjungan/current/bin/kiosk run`` and starts the
one ``current`` points at now; ``health()`` reads the status file the running version wrote.
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import zipfile
from pathlib import Path

STUB_MODULE = '''"""A stand-in for the kiosk, version {version}."""
import json, os, sys, time

VERSION = "{version}"
HEALTHY = {healthy}


def main() -> int:
    status = os.environ["ANJUNGAN_TEST_STATUS"]
    state = {{"version": VERSION, "pid": os.getpid(), "healthy": HEALTHY}}
    with open(status + ".tmp", "w") as handle:
        json.dump(state, handle)
    os.replace(status + ".tmp", status)
    if not HEALTHY:
        time.sleep(0.2)
        return 1
    while True:
        time.sleep(60)
'''


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def build_wheel(folder: Path, version: str, *, healthy: bool = True) -> Path:
    """``anjungan-<version>-py3-none-any.whl`` with a ``kiosk`` console script."""
    info = f"anjungan-{version}.dist-info"
    files = {
        "anjungan_stub.py": STUB_MODULE.format(version=version, healthy=healthy).encode(),
        f"{info}/METADATA": (
            f"Metadata-Version: 2.1\nName: anjungan\nVersion: {version}\n"
            "Summary: stand-in kiosk for the update tests\n"
        ).encode(),
        f"{info}/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: tests.support.wheels\nRoot-Is-Purelib: true\n"
            b"Tag: py3-none-any\n"
        ),
        f"{info}/entry_points.txt": b"[console_scripts]\nkiosk = anjungan_stub:main\n",
    }
    record = [_record_line(name, data) for name, data in files.items()] + [f"{info}/RECORD,,"]
    files[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    wheel = folder / f"anjungan-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return wheel


class ServiceManager:
    """systemd's part for the stand-in: one process of whatever ``current`` points at."""

    def __init__(self, root: Path, status_file: Path) -> None:
        self.current = root / "opt/anjungan/current"
        self.status_file = status_file
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0

    def restart(self) -> None:
        self.stop()
        self.status_file.unlink(missing_ok=True)
        self.process = subprocess.Popen(
            [str(self.current / "bin" / "kiosk"), "run"],
            env={"ANJUNGAN_TEST_STATUS": str(self.status_file), "PATH": "/usr/bin:/bin"},
        )
        self.restarts += 1

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def running_version(self) -> str | None:
        try:
            state = json.loads(self.status_file.read_text())
        except (OSError, ValueError):
            return None
        return str(state["version"])

    def health(self) -> bool | None:
        """Healthy: the process is up and says so; failed: it exited or says it failed."""
        if self.process is None:
            return None
        exited = self.process.poll() is not None
        try:
            state = json.loads(self.status_file.read_text())
        except (OSError, ValueError):
            return False if exited else None
        if exited or not state["healthy"]:
            return False
        return bool(state["pid"] == self.process.pid)
