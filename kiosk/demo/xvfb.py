"""A virtual X display for the demo on a machine without a screen (a server, CI): Xvfb on a
free display number, stopped when the demo's app has finished."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCREEN = "1920x1080x24"
FIRST_DISPLAY, LAST_DISPLAY = 90, 189
# Where every X server announces itself: fixed by X11, not a temporary file of ours.
X_SOCKETS = Path("/tmp/.X11-unix")  # noqa: S108
X_LOCKS = Path("/tmp")  # noqa: S108
START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0


class NoVirtualDisplay(RuntimeError):
    """Xvfb is missing or did not start; the message says what to do."""


def _free_display() -> int:
    for number in range(FIRST_DISPLAY, LAST_DISPLAY + 1):
        if not ((X_SOCKETS / f"X{number}").exists() or (X_LOCKS / f".X{number}-lock").exists()):
            return number
    raise NoVirtualDisplay(f"no free X display number between :{FIRST_DISPLAY} and :{LAST_DISPLAY}")


@contextmanager
def virtual_display(screen: str = SCREEN) -> Iterator[str]:
    """Yields the DISPLAY value (":N") while Xvfb runs with one ``WxHxDEPTH`` screen."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        raise NoVirtualDisplay(
            "Xvfb is not installed (Debian package xvfb; `make demo` installs it when run as root)"
        )
    number = _free_display()
    server = subprocess.Popen(  # noqa: S603 - a fixed program, no shell
        [xvfb, f":{number}", "-screen", "0", screen, "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not (X_SOCKETS / f"X{number}").exists():
            if server.poll() is not None or time.monotonic() > deadline:
                raise NoVirtualDisplay(f"Xvfb did not start on display :{number}")
            time.sleep(0.05)
        yield f":{number}"
    finally:
        server.terminate()
        try:
            server.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            server.kill()
