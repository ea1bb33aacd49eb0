"""A resident collects a finished letter at the kiosk, end to end: a real centre on uvicorn,
the kiosk core with its A4 printer configured as `ipp` to a real CUPS queue whose printer is
ippeveprinter (tests.support.cups). The letter comes out of the printer and the centre
records it; with the tray empty, the heartbeat tells the centre and the resident is told, in
both languages, to collect the letter at the village office."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from central.contract.models import LocalizedText
from central.contract.services import LetterStatus
from central.models import FinishedLetter, KioskState
from central.models import LetterRequest as LetterRow
from central.settings import CentralSettings
from kiosk.config import load_kiosk_config
from kiosk.demo.journey import JourneyLog
from kiosk.runtime.health import HealthLoop
from kiosk.session.events import Notice
from kiosk.simulated import build_simulated_kiosk
from provisioning.enroll import enroll
from tests.journeys.conftest import Rig, kiosk_config_dir, start_ready
from tests.support.central_server import CentralServer, prepare_database
from tests.support.cups import FULL_TRAY, CupsRig, letter_pdf, pdf_says, printer_job_id
from tests.support.letters import ready_letter as letters_ready

OFFICE = "35.10.01.2001"
HEARTBEAT_WAIT_S = 20.0


@pytest.fixture(scope="module")
def cups() -> Iterator[CupsRig]:
    rig = CupsRig().start()
    yield rig
    rig.stop()


@pytest.fixture
def rig(tmp_path: Path, cups: CupsRig) -> Iterator[Rig]:
    url = f"sqlite:///{tmp_path / 'central.sqlite3'}"
    people = prepare_database(url, residents=12)
    central = CentralServer(CentralSettings(database_url=url)).start()
    config_dir = kiosk_config_dir(tmp_path)
    with (config_dir / "kiosk.toml").open("a") as toml:
        toml.write(
            f'[document_printer]\ndriver = "ipp"\nuri = "{cups.queue_uri}"\n'
            f'status_uri = "{cups.printer_uri}"\nstatus_poll_s = 0.2\njob_timeout_s = 30\n'
        )
    enroll(config_dir, central.url, central.enrollment_token(OFFICE))
    receipts = tmp_path / "receipts"
    receipts.mkdir()
    core = start_ready(
        build_simulated_kiosk(load_kiosk_config(config_dir, env={}), receipts_dir=receipts)
    )
    yield Rig(central, core, people, config_dir, receipts, tmp_path)
    core.stop()
    central.stop()


def ready_letter(rig: Rig, pdf: bytes) -> str:
    return letters_ready(rig.central, rig.core.core.config.kiosk, rig.people[0].nik, pdf)


def sign_in_and_open(rig: Rig) -> JourneyLog:
    person = rig.people[0]
    return rig.play(
        f"""
        [[step]]
        do = "tap_card"
        card_uid = "{person.card_uid}"
        [[step]]
        do = "pin"
        pin = "{person.pin}"
        [[step]]
        do = "choose"
        service = "ambil-surat"
        [[step]]
        do = "expect"
        state = "service"
        """,
    )


def collect(rig: Rig, code: str, *, collected: bool) -> JourneyLog:
    return rig.play(
        f"""
        [[step]]
        do = "collect"
        letter = "{code}"
        [[step]]
        do = "expect"
        state = "done"
        collected = {str(collected).lower()}
        """,
    )


def wait_for_ready_printer(rig: Rig) -> None:
    deadline = time.monotonic() + HEARTBEAT_WAIT_S
    while not rig.core.do(lambda s: s.documents_ready):
        assert time.monotonic() < deadline, "the A4 printer never became ready"
        time.sleep(0.05)


def test_a_finished_letter_is_printed_through_cups_and_recorded(rig: Rig, cups: CupsRig) -> None:
    code = ready_letter(rig, letter_pdf("SURAT-DOMISILI-JOURNEY"))
    before = len(cups.received())
    wait_for_ready_printer(rig)

    sign_in_and_open(rig)
    collect(rig, code, collected=True)

    received = cups.received()
    assert len(received) == before + 1 and pdf_says(received[-1], "SURAT-DOMISILI-JOURNEY")
    assert cups.printer_job_state(printer_job_id(received[-1])) == 9  # completed: on paper
    with rig.central.context.sessions() as db:
        row = db.scalar(select(LetterRow).where(LetterRow.tracking_code == code))
        assert row is not None and row.status == LetterStatus.SUDAH_DIAMBIL
        letter = db.get(FinishedLetter, row.id)
        assert letter is not None and letter.printed_at is not None


def test_an_empty_tray_is_reported_to_the_centre_and_the_resident_sent_to_the_office(
    rig: Rig, cups: CupsRig
) -> None:
    code = ready_letter(rig, letter_pdf("SURAT-DOMISILI-EMPTY"))
    wait_for_ready_printer(rig)
    health = HealthLoop(rig.core.core, period_s=3600, status_path=rig.tmp / "status.json")
    health.start()
    before = len(cups.received())
    try:
        sign_in_and_open(rig)  # the tray runs out after "Ambil surat" was offered and opened
        cups.set_sheets(0)
        notice = collect(rig, code, collected=False).last(Notice)
        document_printer = wait_for_heartbeat(rig)
    finally:
        health.stop()
        cups.set_sheets(FULL_TRAY)
    assert notice.message == LocalizedText(
        id="Kertas printer habis. Silakan ambil surat Anda di kantor desa.",
        en="The printer is out of paper. Please collect your letter at the village office.",
    )
    assert document_printer["supply"] == "out" and document_printer["state"] == "offline"
    assert len(cups.received()) == before  # nothing was sent to the printer
    with rig.central.context.sessions() as db:
        row = db.scalar(select(LetterRow).where(LetterRow.tracking_code == code))
        assert row is not None and row.status == LetterStatus.SIAP_DIAMBIL  # still to collect
        letter = db.get(FinishedLetter, row.id)
        assert letter is not None and letter.printed_at is None


def wait_for_heartbeat(rig: Rig) -> dict[str, str]:
    """The document printer as the centre last heard of it, once it says the tray is out."""
    deadline = time.monotonic() + HEARTBEAT_WAIT_S
    while True:
        with rig.central.context.sessions() as db:
            state = db.scalar(select(KioskState))
            peripherals = state.payload.get("peripherals", []) if state is not None else []
        found = next((p for p in peripherals if p["name"] == "document_printer"), None)
        if found is not None and found["supply"] == "out":
            return dict(found)
        assert time.monotonic() < deadline, f"no heartbeat with the tray out: {found}"
        time.sleep(0.1)
