"""The document printer against a real CUPS and ippeveprinter (tests.support.cups): a PDF
printed through the driverless queue and found again at the printer; media empty reported
and no letter printed, whether the printer or only CUPS says so; CUPS gone → offline."""

from __future__ import annotations

import time

import pytest

from common.events import EventBus
from drivers.base import Cover, DeviceState, StatusChanged, Supply
from drivers.documents import (
    DOCUMENT_PRINTERS,
    DocumentPrinter,
    DocumentPrinterError,
    DoorOpen,
    MediaEmpty,
    MediaJam,
    is_ready,
)
from drivers.documents.errors import DocumentPrinterOffline
from drivers.documents.ipp import Attribute, Group, JobState, Operation, Tag, request
from drivers.documents.transport import HttpIpp
from tests.support.cups import FULL_TRAY, CupsRig, letter_pdf, pdf_says, printer_job_id

QUEUE_IDLE_S = 20.0


def printer(
    cups: CupsRig, *, device_status: bool = True, bus: EventBus | None = None
) -> DocumentPrinter:
    return DOCUMENT_PRINTERS.create(
        "ipp",
        uri=cups.queue_uri,
        status_uri=cups.printer_uri if device_status else None,
        poll_period=None,
        follow_period=0.1,
        job_timeout=30.0,
        bus=bus,
    )


def job_state(cups: CupsRig, job_id: int) -> JobState:
    answer = HttpIpp().send(
        cups.queue_uri,
        request(
            Operation.GET_JOB_ATTRIBUTES,
            1,
            cups.queue_uri,
            Attribute(Tag.INTEGER, "job-id", (job_id,)),
            Attribute(Tag.NAME, "requesting-user-name", ("anjungan",)),
        ),
    )
    state = answer.first(Group.JOB, "job-state")
    assert isinstance(state, int)
    return JobState(state)


def printer_outcome(cups: CupsRig, job_id: int) -> JobState:
    """How the printer's own job ended (it finishes a cancel once it has paper again)."""
    deadline = time.monotonic() + QUEUE_IDLE_S
    while not (state := JobState(cups.printer_job_state(job_id))).finished:
        assert time.monotonic() < deadline, f"the printer's job {job_id} never ended"
        time.sleep(0.1)
    return state


def wait_for_idle_queue(cups: CupsRig) -> None:
    driver = printer(cups, device_status=False)
    deadline = time.monotonic() + QUEUE_IDLE_S
    while driver.refresh_status().state is DeviceState.BUSY:
        assert time.monotonic() < deadline, "the CUPS queue stayed busy"
        time.sleep(0.1)


def test_a_letter_goes_through_cups_to_the_printer(cups: CupsRig) -> None:
    bus = EventBus()
    changes: list[StatusChanged] = []
    bus.subscribe(StatusChanged, changes.append)
    driver = printer(cups, bus=bus)
    before = len(cups.received())

    job = driver.print_pdf(letter_pdf("SURAT-UJI-0001"))

    assert job.status.state is DeviceState.ONLINE and job.status.supply is Supply.FULL
    assert job.pages == 1
    received = cups.received()
    assert len(received) == before + 1
    assert pdf_says(received[-1], "SURAT-UJI-0001")  # through pdftopdf, the same letter
    assert cups.printer_job_state(printer_job_id(received[-1])) == JobState.COMPLETED
    assert job_state(cups, job.job_id) is JobState.COMPLETED
    assert changes and changes[0].status.kind.value == "document_printer"
    assert is_ready(driver.status())


def test_an_empty_tray_is_reported_and_nothing_is_printed(cups: CupsRig) -> None:
    driver = printer(cups)
    before = len(cups.received())
    cups.set_sheets(0)
    try:
        status = driver.refresh_status()
        assert (status.state, status.supply) == (DeviceState.OFFLINE, Supply.OUT)
        assert status.last_error == "out of paper"
        assert not is_ready(status)
        with pytest.raises(MediaEmpty):
            driver.print_pdf(letter_pdf("SURAT-UJI-0002"))
    finally:
        cups.set_sheets(FULL_TRAY)
    assert len(cups.received()) == before  # refused before anything was sent
    assert is_ready(driver.refresh_status())  # the refill is seen at once, no job needed


def test_without_the_printer_s_own_status_cups_reports_the_empty_tray_mid_job(
    cups: CupsRig,
) -> None:
    """CUPS learns of the empty tray from its backend during the job: the driver sees it in
    the queue's reasons, cancels the job (no letter later into an empty room) and says why."""
    driver = printer(cups, device_status=False)
    assert is_ready(driver.refresh_status())
    cups.set_sheets(0)
    try:
        with pytest.raises(MediaEmpty) as refused:
            driver.print_pdf(letter_pdf("SURAT-UJI-0003"))
        status = driver.status()
        assert status.supply is Supply.OUT and status.cover is Cover.CLOSED
    finally:
        cups.set_sheets(FULL_TRAY)
    wait_for_idle_queue(cups)
    assert "out of paper" in str(refused.value)
    at_printer = cups.received()[-1]  # the printer had the job, waiting for paper…
    assert pdf_says(at_printer, "SURAT-UJI-0003")
    # …and it was cancelled there, not printed once the tray was refilled
    assert printer_outcome(cups, printer_job_id(at_printer)) is JobState.CANCELED


@pytest.mark.parametrize(
    ("reason", "error", "state"),
    [("media-jam", MediaJam, DeviceState.ERROR), ("cover-open", DoorOpen, DeviceState.OFFLINE)],
)
def test_a_fault_while_printing_is_seen_and_the_job_cancelled(
    cups: CupsRig, reason: str, error: type[DocumentPrinterError], state: DeviceState
) -> None:
    """The printer reports the fault mid-job (its print command says ``STATE: +reason``): the
    driver sees it, cancels the job and names the cause; the printer never completes it."""
    driver = printer(cups)
    cups.fault(reason)
    try:
        with pytest.raises(error):
            driver.print_pdf(letter_pdf(f"SURAT-UJI-{reason}"))
        assert driver.status().state is state
    finally:
        cups.fault(None)
    wait_for_idle_queue(cups)
    at_printer = cups.received()[-1]
    assert pdf_says(at_printer, f"SURAT-UJI-{reason}")
    assert printer_outcome(cups, printer_job_id(at_printer)) is not JobState.COMPLETED
    assert is_ready(driver.refresh_status())


def test_cups_not_answering_is_offline_and_refuses_the_job(cups: CupsRig) -> None:
    gone = DOCUMENT_PRINTERS.create(
        "ipp", uri=f"ipp://127.0.0.1:{cups.printer_port + 0}/printers/none", poll_period=None
    )
    status = gone.refresh_status()
    assert status.state is DeviceState.OFFLINE and "0x" in (status.last_error or "")
    closed = DOCUMENT_PRINTERS.create("ipp", uri="ipp://127.0.0.1:9/printers/a4", timeout=1.0)
    assert closed.refresh_status().state is DeviceState.OFFLINE
    with pytest.raises(DocumentPrinterOffline):
        closed.print_pdf(letter_pdf("SURAT-UJI-0004"))
