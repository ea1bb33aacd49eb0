"""Byte pipes to a printer, built on python-escpos' connection classes.

python-escpos opens the device; everything above it (status parsing, job progress, timeouts on
reads) is ours because 3.1 reads without a deadline and reports silence as "plenty of paper".
A transport only moves bytes: ``write`` within the write timeout or raise ``OSError``,
``read(timeout)`` returning ``b""`` on silence.

The one thing python-escpos does not expose is the opened connection without side effects (its
public ``device`` property opens a closed printer), so ``_opened_connection`` reads the private
``_device`` in this one place; setup.cfg pins python-escpos to the 3.1 series and
``tests/drivers/printer/test_escpos_contract.py`` fails if those internals move. python-escpos
is imported when a transport is built, not with this module: it loads the imaging stack.
"""

from __future__ import annotations

import os
import select
import socket
import time
from typing import Any, Protocol

DEFAULT_WRITE_TIMEOUT = 5.0


def _opened_connection(printer: Any, what: str) -> Any:
    """The socket, serial port, file or USB device python-escpos opened, or ``ConnectionError``.

    python-escpos 3.1 keeps it in ``_device``: ``False`` before ``open``/after ``close``,
    ``None`` when opening failed without raising, the connection object otherwise.
    """
    connection = printer._device  # noqa: SLF001 - pinned internals, see the module docstring
    if not connection:
        raise ConnectionError(f"{what} is closed")
    return connection


class Transport(Protocol):
    """What the driver needs from a connection; ``describe()`` is safe to log."""

    def describe(self) -> str: ...

    def open(self) -> None: ...

    def close(self) -> None: ...

    def write(self, data: bytes) -> None: ...

    def read(self, timeout: float) -> bytes: ...

    def discard_input(self) -> None: ...


class NetworkTransport:
    """TCP (port 9100 "raw" printing) through ``escpos.printer.Network``."""

    def __init__(
        self, host: str, port: int = 9100, write_timeout: float = DEFAULT_WRITE_TIMEOUT
    ) -> None:
        from escpos.printer import Network

        self._printer: Any = Network(host=host, port=port, timeout=write_timeout)
        self._write_timeout = write_timeout

    def describe(self) -> str:
        return f"tcp://{self._printer.host}:{self._printer.port}"

    def open(self) -> None:
        self._printer.open()

    def close(self) -> None:
        self._printer.close()

    def _socket(self) -> socket.socket:
        sock = _opened_connection(self._printer, "printer connection")
        if not isinstance(sock, socket.socket):
            raise ConnectionError("printer connection is not a socket")
        return sock

    def write(self, data: bytes) -> None:
        self._socket().sendall(data)

    def read(self, timeout: float) -> bytes:
        sock = self._socket()
        sock.settimeout(timeout)
        try:
            reply = sock.recv(16)
        except TimeoutError:
            return b""
        finally:
            sock.settimeout(self._write_timeout)
        if not reply:
            raise ConnectionResetError("printer closed the connection")
        return reply

    def discard_input(self) -> None:
        sock = self._socket()
        sock.setblocking(False)
        try:
            while sock.recv(4096):
                pass
        except BlockingIOError:
            pass
        finally:
            sock.settimeout(self._write_timeout)


class SerialTransport:
    """RS-232 or USB virtual COM through ``escpos.printer.Serial`` (pyserial underneath)."""

    def __init__(
        self, device: str, baudrate: int = 9600, write_timeout: float = DEFAULT_WRITE_TIMEOUT
    ) -> None:
        from escpos.printer import Serial

        # dsrdtr off: most receipt printers do not wire DSR, and a pty has no modem lines.
        self._printer: Any = Serial(devfile=device, baudrate=baudrate, timeout=0, dsrdtr=False)
        self._write_timeout = write_timeout

    def describe(self) -> str:
        return f"serial:{self._printer.devfile}"

    def open(self) -> None:
        self._printer.open()
        self._printer.device.write_timeout = self._write_timeout

    def close(self) -> None:
        self._printer.close()

    def _port(self) -> Any:
        return _opened_connection(self._printer, "serial port")

    def write(self, data: bytes) -> None:
        self._port().write(data)

    def read(self, timeout: float) -> bytes:
        """One byte within ``timeout``, then whatever else already arrived (no extra wait)."""
        port = self._port()
        port.timeout = timeout
        first = bytes(port.read(1))
        if not first:
            return b""
        port.timeout = 0
        return first + bytes(port.read(port.in_waiting))

    def discard_input(self) -> None:
        self._port().reset_input_buffer()


class UsbTransport:
    """USB printer class devices through ``escpos.printer.Usb`` (pyusb, libusb)."""

    def __init__(
        self,
        vendor_id: int,
        product_id: int,
        in_ep: int = 0x82,
        out_ep: int = 0x01,
        write_timeout: float = DEFAULT_WRITE_TIMEOUT,
    ) -> None:
        from escpos.printer import Usb  # needs pyusb; imported only when USB is configured

        self._printer: Any = Usb(
            idVendor=vendor_id,
            idProduct=product_id,
            timeout=int(write_timeout * 1000),
            in_ep=in_ep,
            out_ep=out_ep,
        )

    def describe(self) -> str:
        ids = self._printer.usb_args
        return f"usb:{ids.get('idVendor', 0):04x}:{ids.get('idProduct', 0):04x}"

    def open(self) -> None:
        self._printer.open()

    def close(self) -> None:
        self._printer.close()

    def write(self, data: bytes) -> None:
        device = _opened_connection(self._printer, "USB printer")
        device.write(self._printer.out_ep, data, self._printer.timeout)

    def read(self, timeout: float) -> bytes:
        import usb.core  # type: ignore[import-untyped,import-not-found,unused-ignore]

        device = _opened_connection(self._printer, "USB printer")
        try:
            return bytes(device.read(self._printer.in_ep, 16, max(1, int(timeout * 1000))))
        except usb.core.USBTimeoutError:
            return b""

    def discard_input(self) -> None:
        while self.read(0.001):
            pass


class FileTransport:
    """A device file such as ``/dev/usb/lp0`` through ``escpos.printer.File``: write-only.

    Status queries get no answer here, so the status stays ``unknown`` (honest, not "fine").
    Writes go straight to the descriptor with a deadline, because a stalled printer would
    otherwise block a buffered file write forever.
    """

    def __init__(self, path: str, write_timeout: float = DEFAULT_WRITE_TIMEOUT) -> None:
        from escpos.printer import File

        self._printer: Any = File(devfile=path, auto_flush=True)
        self._write_timeout = write_timeout

    def describe(self) -> str:
        return f"file:{self._printer.devfile}"

    def open(self) -> None:
        self._printer.open()
        os.set_blocking(self._printer.device.fileno(), False)

    def close(self) -> None:
        self._printer.close()

    def write(self, data: bytes) -> None:
        fd = _opened_connection(self._printer, "printer file").fileno()
        deadline = time.monotonic() + self._write_timeout
        view = memoryview(data)
        while view:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"printer accepted no data for {self._write_timeout} s")
            _, writable, _ = select.select([], [fd], [], remaining)
            if writable:
                try:
                    view = view[os.write(fd, view) :]
                except BlockingIOError:
                    continue

    def read(self, timeout: float) -> bytes:
        return b""

    def discard_input(self) -> None:
        """Nothing to discard on a write-only file."""
