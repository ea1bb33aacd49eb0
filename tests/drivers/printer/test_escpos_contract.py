"""What our transports rely on inside python-escpos (pinned to 3.1 in setup.cfg).

``drivers/printer/transport.py`` reads each connection class's private ``_device`` because the
public ``device`` property opens a closed printer as a side effect. These tests pin that
contract on real connections (a loopback socket, a pty, a file), so an upgrade that moves it
fails here rather than on a kiosk.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import serial
from escpos.printer import File, Network, Serial, Usb

from drivers.printer.transport import FileTransport, NetworkTransport, SerialTransport


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    server = socket.create_server(("127.0.0.1", 0))
    yield server
    server.close()


@pytest.fixture
def pty_path() -> Iterator[str]:
    master, slave = os.openpty()
    yield os.ttyname(slave)
    os.close(slave)
    os.close(master)


def _assert_lifecycle(printer: Any, connection_type: type) -> None:
    assert printer._device is False, "a new printer holds no connection"
    printer.open()
    assert isinstance(printer._device, connection_type)
    printer.close()
    assert printer._device is False, "close() forgets the connection"


def test_network_keeps_its_socket_in_device(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    _assert_lifecycle(Network(host="127.0.0.1", port=port, timeout=1), socket.socket)


def test_serial_keeps_its_port_in_device(pty_path: str) -> None:
    printer = Serial(devfile=pty_path, baudrate=9600, timeout=0, dsrdtr=False)
    _assert_lifecycle(printer, serial.Serial)


def test_file_keeps_its_handle_in_device(tmp_path: Path) -> None:
    target = tmp_path / "lp0"
    target.touch()
    _assert_lifecycle(File(devfile=str(target), auto_flush=True), io.BufferedWriter)


def test_usb_keeps_the_ids_endpoints_and_timeout_we_read() -> None:
    printer = Usb(idVendor=0x0416, idProduct=0x5011, timeout=5000, in_ep=0x81, out_ep=0x03)
    assert printer._device is False
    assert printer.usb_args == {"idVendor": 0x0416, "idProduct": 0x5011}
    assert (printer.in_ep, printer.out_ep, printer.timeout) == (0x81, 0x03, 5000)


def test_our_transports_refuse_io_when_closed(
    listener: socket.socket, pty_path: str, tmp_path: Path
) -> None:
    (tmp_path / "lp0").touch()
    closed: list[NetworkTransport | SerialTransport | FileTransport] = [
        NetworkTransport("127.0.0.1", listener.getsockname()[1]),
        SerialTransport(pty_path),
        FileTransport(str(tmp_path / "lp0")),
    ]
    for transport in closed:
        with pytest.raises(ConnectionError, match="closed"):
            transport.write(b"\x1b@")


def test_importing_the_printer_package_loads_no_imaging_stack() -> None:
    heavy = ("numpy", "PIL", "qrcode", "barcode", "escpos", "cv2")
    probe = (
        "import sys, drivers.printer; "
        f"print(','.join(m for m in {heavy!r} if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "", f"importing drivers.printer loaded {loaded}"
