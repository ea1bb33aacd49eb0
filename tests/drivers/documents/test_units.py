"""The document printer's parts without a network: the IPP codec's bytes, the reasons → status
table, and the driver following jobs on the simulated printer (fault switches)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from drivers.base import Cover, DeviceState, Supply
from drivers.documents import (
    DOCUMENT_PRINTERS,
    DoorOpen,
    JobFailed,
    Media,
    MediaEmpty,
    MediaJam,
    SimulatedIpp,
    is_ready,
)
from drivers.documents.errors import DocumentPrinterOffline
from drivers.documents.ipp import (
    Attribute,
    Group,
    IppDecodeError,
    Operation,
    Tag,
    decode,
    encode,
    request,
)
from drivers.documents.status import interpret
from drivers.documents.transport import parse_uri

pytestmark = pytest.mark.in_process


def _attr(tag: int, name: str, value: bytes) -> bytes:
    return (
        struct.pack(">BH", tag, len(name)) + name.encode() + struct.pack(">H", len(value)) + value
    )


def test_a_request_is_encoded_as_rfc_8010_says() -> None:
    message = request(
        Operation.GET_JOB_ATTRIBUTES, 7, "ipp://h/p", Attribute(Tag.INTEGER, "job-id", (42,))
    )
    assert encode(message) == (
        b"\x02\x00\x00\x09\x00\x00\x00\x07\x01"
        + _attr(0x47, "attributes-charset", b"utf-8")
        + _attr(0x48, "attributes-natural-language", b"en")
        + _attr(0x45, "printer-uri", b"ipp://h/p")
        + _attr(0x21, "job-id", b"\x00\x00\x00\x2a")
        + b"\x03"
    )


def test_an_answer_is_decoded_with_additional_values_and_collections_skipped() -> None:
    answer = (
        b"\x02\x00\x00\x00\x00\x00\x00\x05\x04"
        + _attr(0x23, "printer-state", b"\x00\x00\x00\x03")
        + _attr(0x44, "printer-state-reasons", b"media-low-report")
        + _attr(0x44, "", b"door-open-error")
        + _attr(0x34, "media-col-ready", b"")
        + _attr(0x4A, "", b"media-size")
        + _attr(0x34, "", b"")
        + _attr(0x4A, "", b"x-dimension")
        + _attr(0x21, "", b"\x00\x00\x52\x08")
        + _attr(0x37, "", b"")
        + _attr(0x37, "", b"")
        + _attr(0x22, "printer-is-accepting-jobs", b"\x01")
        + b"\x03"
    )
    reply = decode(answer)
    assert reply.ok and reply.request_id == 5
    assert reply.first(Group.PRINTER, "printer-state") == 3
    assert reply.strings(Group.PRINTER, "printer-state-reasons") == [
        "media-low-report",
        "door-open-error",
    ]
    assert reply.groups[Group.PRINTER]["media-col-ready"] == []
    assert reply.first(Group.PRINTER, "printer-is-accepting-jobs") is True


@pytest.mark.parametrize(
    "broken",
    [
        b"\x02\x00\x00",  # no header
        b"\x02\x00\x00\x00\x00\x00\x00\x01\x04" + b"\x44\x00\x09printer-s",  # cut in a name
        b"\x02\x00\x00\x00\x00\x00\x00\x01\x04" + _attr(0x21, "n", b"\x01"),  # 1-byte integer
        b"\x02\x00\x00\x00\x00\x00\x00\x01" + _attr(0x21, "n", b"\x00\x00\x00\x01"),  # no group
        b"\x02\x00\x00\x00\x00\x00\x00\x01\x04" + _attr(0x37, "", b"") + b"\x03",
    ],
)
def test_a_broken_answer_is_refused(broken: bytes) -> None:
    with pytest.raises(IppDecodeError):
        decode(broken)


ON, BUSY, OFF, ERR, UNK = (
    DeviceState.ONLINE,
    DeviceState.BUSY,
    DeviceState.OFFLINE,
    DeviceState.ERROR,
    DeviceState.UNKNOWN,
)
FULL, LOW, OUT = Supply.FULL, Supply.LOW, Supply.OUT
SHUT, OPEN = Cover.CLOSED, Cover.OPEN


@pytest.mark.parametrize(
    ("state", "accepting", "reasons", "expected"),
    [
        (3, True, ["none"], (ON, FULL, SHUT, None)),
        (4, True, ["cups-waiting-for-job-completed"], (BUSY, FULL, SHUT, None)),
        (
            3,
            True,
            ["media-empty-warning", "media-needed-warning"],
            (OFF, OUT, SHUT, "out of paper"),
        ),
        (3, True, ["media-empty-report"], (OFF, OUT, SHUT, "out of paper")),
        (3, True, ["media-low-report"], (ON, LOW, SHUT, None)),
        (5, True, ["media-jam-error"], (ERR, FULL, SHUT, "paper jam")),
        (3, True, ["door-open-error"], (OFF, FULL, OPEN, "door open")),
        (3, True, ["offline-report"], (OFF, FULL, SHUT, "printer offline")),
        (5, True, ["paused"], (OFF, FULL, SHUT, "queue stopped")),
        (3, False, [], (OFF, FULL, SHUT, "queue not accepting jobs")),
        (None, None, [], (UNK, FULL, SHUT, "no printer-state in the answer")),
    ],
)
def test_reasons_map_to_the_device_model(
    state: int | None,
    accepting: bool | None,
    reasons: list[str],
    expected: tuple[DeviceState, Supply, Cover, str | None],
) -> None:
    reading = interpret(state, accepting, reasons)
    assert (reading.state, reading.supply, reading.cover, reading.problem) == expected


def test_uris() -> None:
    assert parse_uri("ipp://localhost/printers/a4").port == 631
    assert parse_uri("ipps://p.local:8443/ipp/print").tls
    with pytest.raises(ValueError, match="not an IPP URI"):
        parse_uri("lpd://printer/queue")


PDF = b"%PDF-1.7\n%test letter\n"


def test_the_simulated_printer_prints_through_the_real_driver(tmp_path: Path) -> None:
    simulator = SimulatedIpp(tmp_path)
    driver = DOCUMENT_PRINTERS.create("simulated", simulator=simulator, poll_period=None)
    job = driver.print_pdf(PDF)
    assert job.job_id == 1 and is_ready(job.status)
    assert (tmp_path / "letter-1.pdf").read_bytes() == PDF


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (lambda s: s.set_media(Media.EMPTY), MediaEmpty),
        (lambda s: s.set_door(True), DoorOpen),
        (lambda s: s.set_jam(True), MediaJam),
        (lambda s: s.set_online(False), DocumentPrinterOffline),
    ],
)
def test_a_fault_before_the_job_refuses_it(tmp_path: Path, fault: object, error: type) -> None:
    simulator = SimulatedIpp(tmp_path)
    driver = DOCUMENT_PRINTERS.create("simulated", simulator=simulator, poll_period=None)
    fault(simulator)  # type: ignore[operator]
    with pytest.raises(error):
        driver.print_pdf(PDF)
    assert not is_ready(driver.status())
    assert simulator.printed == []


def test_a_job_that_never_ends_is_cancelled_after_the_timeout(tmp_path: Path) -> None:
    simulator = SimulatedIpp(tmp_path)
    driver = DOCUMENT_PRINTERS.create(
        "simulated", simulator=simulator, poll_period=None, follow_period=0.01, job_timeout=0.05
    )
    original = simulator._advance  # hold the job in "processing"
    simulator._advance = lambda job: None  # type: ignore[method-assign]
    with pytest.raises(JobFailed, match="did not finish"):
        driver.print_pdf(PDF)
    simulator._advance = original  # type: ignore[method-assign]
    assert simulator.printed == []
    with pytest.raises(JobFailed, match="not a PDF"):
        driver.print_pdf(b"<html>")


def test_a_configured_a4_printer_is_a_device_kiosk_devices_lists(tmp_path: Path) -> None:
    from drivers.probe import probe_status
    from kiosk.config.devices import device_specs
    from kiosk.config.schema import KioskConfig

    bare = KioskConfig()
    assert all(spec.role != "document_printer" for spec in device_specs(bare))
    config = KioskConfig.model_validate(
        {"document_printer": {"driver": "ipp", "uri": "ipp://localhost:631/printers/a4"}}
    )
    spec = next(s for s in device_specs(config) if s.role == "document_printer")
    assert spec.options["uri"] == "ipp://localhost:631/printers/a4"
    simulated = KioskConfig.model_validate({"document_printer": {"driver": "simulated"}})
    spec = next(s for s in device_specs(simulated) if s.role == "document_printer")
    assert probe_status(spec).state is DeviceState.ONLINE
    with pytest.raises(ValueError, match="ipp:// or ipps://"):
        KioskConfig.model_validate({"document_printer": {"uri": "http://printer/"}})
