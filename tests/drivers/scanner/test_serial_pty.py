"""Serial code scanner and serial card reader over a real pseudo-terminal pair.

The device is a pty master written by the test; the driver opens the slave through a symlink,
the way udev's /dev/serial/by-id names work, so "unplug" is closing the master and "replug" is
a new pty behind the same name.
"""

from __future__ import annotations

import os
import tty
from collections.abc import Iterator
from pathlib import Path

import pytest

from common.events import EventBus
from drivers.base import DeviceState
from drivers.cards.events import CardPresented, CardReadFailed
from drivers.cards.serial_reader import SerialCardReader
from drivers.scanner.scanner import CodeScanned, ScanRejected
from drivers.scanner.serial_scanner import SerialCodeScanner
from tests.drivers.cards.recorder import Recorder


class FakeDevice:
    """The device side of a pty, reachable by the driver at a stable ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.master = -1
        self.plug()

    def plug(self) -> None:
        master, slave = os.openpty()
        tty.setraw(slave)  # a USB CDC port does no line editing: neither should the pty
        self.master = master
        self._slave_name = os.ttyname(slave)
        os.close(slave)
        if self.path.is_symlink():
            self.path.unlink()
        self.path.symlink_to(self._slave_name)

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def unplug(self) -> None:
        os.close(self.master)
        self.master = -1
        self.path.unlink()


@pytest.fixture
def device(tmp_path: Path) -> Iterator[FakeDevice]:
    fake = FakeDevice(tmp_path / "usb-Scanner_1234-if00")
    yield fake
    if fake.master >= 0:
        os.close(fake.master)


@pytest.fixture
def scanner(device: FakeDevice, bus: EventBus, recorder: Recorder) -> Iterator[SerialCodeScanner]:
    driver = SerialCodeScanner(bus, path=str(device.path), max_line=64)
    driver.start()
    recorder.wait_state(DeviceState.ONLINE)
    yield driver
    driver.stop()


def codes(recorder: Recorder) -> list[str]:
    return [e.code for e in recorder.of(CodeScanned)]


def test_cr_lf_and_crlf_each_end_one_code(
    device: FakeDevice, scanner: SerialCodeScanner, recorder: Recorder
) -> None:
    device.send(b"Q-0001\rQ-0002\nQ-0003\r\nQ-")
    device.send(b"0004\r\n")
    recorder.wait_for(CodeScanned, lambda e: e.code == "Q-0004")
    assert codes(recorder) == ["Q-0001", "Q-0002", "Q-0003", "Q-0004"]
    assert recorder.of(ScanRejected) == []


def test_bad_input_is_reported_and_the_next_code_still_works(
    device: FakeDevice, scanner: SerialCodeScanner, recorder: Recorder
) -> None:
    device.send(b"\xff\xfe\xfd\r\n")  # invalid UTF-8
    device.send(b"\x00\x1b[2J\x07\r\n")  # garbage (control characters)
    device.send(b"A" * 200 + b"\r\n")  # oversized
    device.send("Desa Blimbingsari ✓\r\n".encode())
    recorder.wait_for(CodeScanned)
    reasons = [e.reason for e in recorder.of(ScanRejected)]
    assert len(reasons) == 3
    assert "UTF-8" in reasons[0] and "control" in reasons[1] and "longer than 64" in reasons[2]
    assert codes(recorder) == ["Desa Blimbingsari ✓"]
    assert scanner.status().state is DeviceState.ONLINE
    assert scanner.status().last_error is None  # cleared by the good code


def test_unplug_goes_offline_and_replug_reconnects(
    device: FakeDevice, scanner: SerialCodeScanner, recorder: Recorder
) -> None:
    device.send(b"before\r\n")
    recorder.wait_for(CodeScanned)
    mark = recorder.mark()
    device.unplug()
    offline = recorder.wait_state(DeviceState.OFFLINE, after=mark)
    assert offline.status.last_error
    mark = recorder.mark()
    device.plug()
    recorder.wait_state(DeviceState.ONLINE, after=mark)
    device.send(b"after\r\n")
    recorder.wait_for(CodeScanned, lambda e: e.code == "after")
    assert codes(recorder) == ["before", "after"]


def test_missing_device_is_offline_with_its_identity(bus: EventBus, recorder: Recorder) -> None:
    driver = SerialCodeScanner(bus, vid=0x0483, pid=0x5740, path="/dev/does-not-exist")
    driver.start()
    try:
        offline = recorder.wait_state(DeviceState.OFFLINE)
    finally:
        driver.stop()
    assert "vid=1155" in (offline.status.last_error or "")


def test_serial_card_reader_hex_and_decimal(
    device: FakeDevice, bus: EventBus, recorder: Recorder
) -> None:
    hex_reader = SerialCardReader(bus, path=str(device.path))
    hex_reader.start()
    try:
        recorder.wait_state(DeviceState.ONLINE)
        device.send(b"04a1b2c3d4e5f6\r\nnot a uid\r\n")
        recorder.wait_for(CardReadFailed)
    finally:
        hex_reader.stop()
    assert [e.uid_hex for e in recorder.of(CardPresented)] == ["04A1B2C3D4E5F6"]

    mark = recorder.mark()
    decimal_reader = SerialCardReader(bus, path=str(device.path), uid_format="decimal")
    decimal_reader.start()
    try:
        recorder.wait_state(DeviceState.ONLINE, after=mark)
        device.send(b"3283263748\n")
        presented = recorder.wait_for(CardPresented, after=mark)
    finally:
        decimal_reader.stop()
    assert presented.uid_hex == "04A1B2C3"
