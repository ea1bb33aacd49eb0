"""Serial devices that send one item per line (code scanners, card readers in virtual-COM mode).

``LineSplitter`` turns bytes into lines (CR, LF and CRLF all end one), with a hard cap on line
length so a device spewing bytes without a newline cannot grow memory. ``decode_line`` makes
text of a line or says clearly why not. ``SerialLineSource`` owns the port: it finds it by USB
identity (VID/PID/serial number, stable across replugging) with a path fallback, reads on a named
daemon thread with a read timeout, and reopens the port by itself after an unplug.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import serial
from serial.tools import list_ports
from serial.tools.list_ports_common import ListPortInfo

from drivers.base import DeviceError, DeviceNotFound, DeviceState, StatusReporter
from drivers.threads import ServiceThread

log = logging.getLogger(__name__)

_END_OF_LINE = re.compile(rb"[\r\n]")
# C0 controls and DEL are line noise; TAB and GS (the GS1 field separator) are real content.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1c\x1e\x1f\x7f]")


class BadLineError(DeviceError):
    """A line that is not usable text; the message says why, without echoing the content."""


@dataclass(frozen=True)
class RawLine:
    data: bytes
    oversized: bool = False


class LineSplitter:
    def __init__(self, max_line: int) -> None:
        self._max = max_line
        self._buffer = b""
        self._skipping = False  # inside an over-long line, until its end of line

    def feed(self, data: bytes) -> list[RawLine]:
        out: list[RawLine] = []
        *complete, self._buffer = _END_OF_LINE.split(self._buffer + data)
        for part in complete:
            if self._skipping:
                self._skipping = False
            elif len(part) > self._max:
                out.append(RawLine(b"", oversized=True))
            elif part:
                out.append(RawLine(part))
        if len(self._buffer) > self._max:
            # Reported as soon as it happens, not when (if ever) the newline comes.
            if not self._skipping:
                out.append(RawLine(b"", oversized=True))
            self._skipping = True
            self._buffer = b""
        return out


def decode_line(data: bytes) -> str:
    """The line as text, surrounding whitespace removed; ``BadLineError`` if it is not text."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadLineError(f"invalid UTF-8 at byte {exc.start}") from exc
    if _CONTROL.search(text):
        raise BadLineError("control characters in line (garbage or wrong baud rate?)")
    return text.strip()


def deliver(
    raw: RawLine, max_line: int, on_line: Callable[[str], None], on_reject: Callable[[str], None]
) -> None:
    """Hand a split line on as text, or its rejection reason; blank lines are dropped."""
    if raw.oversized:
        on_reject(f"line longer than {max_line} bytes dropped")
        return
    try:
        text = decode_line(raw.data)
    except BadLineError as exc:
        on_reject(str(exc))
        return
    if text:
        on_line(text)


@dataclass(frozen=True)
class PortSelector:
    """Which port: by USB identity when given (stable across replugs), else by ``path``."""

    vid: int | None = None
    pid: int | None = None
    serial_number: str | None = None
    path: str | None = None

    def pick(self, ports: Iterable[ListPortInfo]) -> str:
        wanted = {"vid": self.vid, "pid": self.pid, "serial_number": self.serial_number}
        wanted = {key: value for key, value in wanted.items() if value is not None}
        if wanted:
            for port in ports:
                if all(getattr(port, key) == value for key, value in wanted.items()):
                    return str(port.device)
        if self.path is not None and os.path.exists(self.path):
            return self.path
        described = ", ".join(f"{k}={v}" for k, v in {**wanted, "path": self.path}.items())
        raise DeviceNotFound(f"no serial port with {described}")

    def resolve(self) -> str:
        return self.pick(list_ports.comports())


class SerialLineSource:
    """Reads lines from a serial port on a thread; decoded lines and rejections go to callbacks."""

    def __init__(
        self,
        name: str,
        selector: PortSelector,
        status: StatusReporter,
        on_line: Callable[[str], None],
        on_reject: Callable[[str], None],
        baudrate: int = 9600,
        max_line: int = 4096,
        read_timeout: float = 0.2,
        retry_interval: float = 0.5,
    ) -> None:
        self._selector = selector
        self._status = status
        self._on_line = on_line
        self._on_reject = on_reject
        self._baudrate = baudrate
        self._max_line = max_line
        self._read_timeout = read_timeout
        self._retry_interval = retry_interval
        self._thread = ServiceThread(f"{name}-serial", self._run, self._crashed)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._thread.stop(timeout=self._read_timeout + 2.0)

    def _crashed(self, exc: BaseException) -> None:
        self._status.update(state=DeviceState.ERROR, last_error=f"serial thread failed: {exc}")

    def _run(self, stopping: threading.Event) -> None:
        while not stopping.is_set():
            try:
                port = serial.Serial(
                    self._selector.resolve(), self._baudrate, timeout=self._read_timeout,
                    exclusive=True,
                )
            except (DeviceNotFound, serial.SerialException, OSError) as exc:
                self._status.update(state=DeviceState.OFFLINE, last_error=str(exc))
                stopping.wait(self._retry_interval)
                continue
            self._status.update(state=DeviceState.ONLINE, last_error=None)
            try:
                self._read_lines(port, stopping)
            except (serial.SerialException, OSError) as exc:
                log.warning("serial device %s disconnected: %s", port.port, exc)
                self._status.update(state=DeviceState.OFFLINE, last_error=f"disconnected: {exc}")
            finally:
                port.close()

    def _read_lines(self, port: serial.Serial, stopping: threading.Event) -> None:
        splitter = LineSplitter(self._max_line)
        while not stopping.is_set():
            data = port.read(max(1, port.in_waiting))
            for raw in splitter.feed(data):
                deliver(raw, self._max_line, self._on_line, self._on_reject)
