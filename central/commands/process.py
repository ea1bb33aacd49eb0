"""``kiosk-central serve`` as a process of its own: started on a free loopback port, ready once
``/healthz`` answers, stopped with its worker processes.

The one way the demo, the tests and the benchmarks run a real centre, so all three exercise the
command a district's technician runs rather than an in-process shortcut.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

START_TIMEOUT_S = 60.0
_POLL_S = 0.1
_STOP_WAITS = ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0))
_LOG_TAIL_CHARS = 800


class CentralStartError(RuntimeError):
    """The server exited or did not answer in time; the message carries its log's tail."""


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def central_command() -> list[str]:
    """The installed ``kiosk-central`` beside this interpreter, else the module."""
    script = Path(sys.executable).with_name("kiosk-central")
    return [str(script)] if script.exists() else [sys.executable, "-m", "central.cli"]


class CentralProcess:
    """``kiosk-central serve ARGS --port N`` in its own process group (``--workers`` forks).

    Use as a context manager: entering returns once ``/healthz`` answers 200, leaving stops
    the group (SIGTERM, then SIGKILL). Output goes to ``log_path`` when given (both streams),
    otherwise stdout is discarded and stderr goes where ``stderr`` says.
    """

    def __init__(
        self,
        args: Sequence[str] = (),
        *,
        env: Mapping[str, str] | None = None,
        log_path: Path | None = None,
        stderr: IO[str] | int = subprocess.DEVNULL,
        start_timeout_s: float = START_TIMEOUT_S,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._argv = [*central_command(), "serve", *args, "--port", str(self.port)]
        self._env = dict(env) if env is not None else None
        self.log_path = log_path
        self._stderr = stderr
        self._start_timeout_s = start_timeout_s
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        if self._process is None:
            raise CentralStartError("the centre is not running")
        return self._process.pid

    def __enter__(self) -> CentralProcess:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def start(self) -> None:
        if self.log_path is not None:
            with self.log_path.open("wb") as log:
                self._spawn(log, subprocess.STDOUT)
        else:
            self._spawn(subprocess.DEVNULL, self._stderr)
        try:
            self._wait_until_serving()
        except BaseException:
            self.stop()
            raise

    def _spawn(self, stdout: IO[bytes] | int, stderr: IO[str] | int) -> None:
        self._process = subprocess.Popen(  # noqa: S603 - our own command, no shell
            self._argv, stdout=stdout, stderr=stderr, env=self._env, start_new_session=True
        )

    def _wait_until_serving(self) -> None:
        deadline = time.monotonic() + self._start_timeout_s
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise CentralStartError(f"kiosk-central serve exited: {self._log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as reply:  # noqa: S310 - loopback http
                    if reply.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(_POLL_S)
        raise CentralStartError(
            f"kiosk-central serve did not answer within {self._start_timeout_s:.0f} s: "
            f"{self._log_tail()}"
        )

    def _log_tail(self) -> str:
        if self.log_path is None:
            return "(no log kept)"
        try:
            return self.log_path.read_text(errors="replace").strip()[-_LOG_TAIL_CHARS:]
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        """Stop the whole process group; safe to call twice or after the server died."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        for sig, wait_s in _STOP_WAITS:
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                return
            try:
                process.wait(timeout=wait_s)
                return
            except subprocess.TimeoutExpired:
                continue
