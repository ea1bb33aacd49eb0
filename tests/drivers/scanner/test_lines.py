"""Line splitting, decoding, port choice, registry and the simulated scanner (no I/O)."""

from __future__ import annotations

import pytest
from serial.tools.list_ports_common import ListPortInfo

from common.events import EventBus
from drivers.base import DeviceNotFound, DeviceState, UnknownDriver
from drivers.scanner import CODE_SCANNERS
from drivers.scanner.lines import BadLineError, LineSplitter, PortSelector, RawLine, decode_line
from drivers.scanner.scanner import CodeScanned, ScanRejected
from drivers.scanner.simulated import SimulatedCodeScanner
from tests.drivers.cards.recorder import Recorder

pytestmark = pytest.mark.in_process


def test_splitter_handles_every_line_ending_across_chunks() -> None:
    splitter = LineSplitter(max_line=16)
    out = splitter.feed(b"one\r") + splitter.feed(b"\ntwo\nthr") + splitter.feed(b"ee\r\r\n")
    assert out == [RawLine(b"one"), RawLine(b"two"), RawLine(b"three")]


def test_splitter_reports_an_oversized_line_once_and_recovers() -> None:
    splitter = LineSplitter(max_line=4)
    out = splitter.feed(b"123456") + splitter.feed(b"789") + splitter.feed(b"0\nok\n")
    assert out == [RawLine(b"", oversized=True), RawLine(b"ok")]
    assert splitter.feed(b"toolong\nfine\n") == [RawLine(b"", oversized=True), RawLine(b"fine")]


def test_decode_line() -> None:
    assert decode_line("  ÄB\tC\x1dD ".encode()) == "ÄB\tC\x1dD"
    with pytest.raises(BadLineError, match="UTF-8 at byte 1"):
        decode_line(b"a\xc3")
    with pytest.raises(BadLineError, match="control"):
        decode_line(b"ab\x00c")


def port(device: str, vid: int | None, pid: int | None, serial: str | None) -> ListPortInfo:
    info = ListPortInfo(device, skip_link_detection=True)
    info.vid, info.pid, info.serial_number = vid, pid, serial
    return info


PORTS = [port("/dev/ttyACM0", 0x0483, 0x5740, "A1"), port("/dev/ttyACM1", 0x0483, 0x5740, "B2"),
         port("/dev/ttyUSB0", 0x1A86, 0x7523, None)]  # fmt: skip


def test_port_selector_prefers_usb_identity() -> None:
    assert PortSelector(vid=0x0483, pid=0x5740, serial_number="B2").pick(PORTS) == "/dev/ttyACM1"
    assert PortSelector(vid=0x1A86).pick(PORTS) == "/dev/ttyUSB0"
    assert PortSelector(vid=0xFFFF, path="/dev/null").pick(PORTS) == "/dev/null"
    with pytest.raises(DeviceNotFound, match="serial_number=Z9"):
        PortSelector(vid=0x0483, serial_number="Z9").pick(PORTS)
    with pytest.raises(DeviceNotFound):
        PortSelector(path="/dev/does-not-exist").pick(PORTS)


def test_scanner_registry_has_no_fallback() -> None:
    assert sorted(CODE_SCANNERS.factories) == ["serial", "simulated"]
    with pytest.raises(UnknownDriver):
        CODE_SCANNERS.create("hid", bus=EventBus())


def test_simulated_scanner() -> None:
    bus = EventBus()
    recorder = Recorder(bus)
    sim = SimulatedCodeScanner(bus, max_line=8)
    sim.start()
    sim.scan("ANTRI-07")
    sim.send(b"\xffbad\n" + b"x" * 9 + b"\n")
    sim.unplug()
    sim.scan("lost")
    sim.replug()
    sim.scan("back")
    assert [e.code for e in recorder.of(CodeScanned)] == ["ANTRI-07", "back"]
    assert len(recorder.of(ScanRejected)) == 2
    assert sim.status().state is DeviceState.ONLINE
