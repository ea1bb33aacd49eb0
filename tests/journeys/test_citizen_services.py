"""Residents' journeys end to end: session, client, outbox, receipts, printer emulator, and a
real centre on uvicorn. The receipts are PNGs from the ESC/POS emulator, read back."""

from __future__ import annotations

import logging
import time

import cv2
import numpy as np
import pytest
import requests
from sqlalchemy import select

from central.models import Complaint as ComplaintRow
from central.models import Document as DocumentRow
from central.models import LetterRequest as LetterRequestRow
from central.models import NotificationOptIn
from central.notify.phones import box_for
from kiosk.session import State
from kiosk.tray import ScanGuidance
from tests.journeys.conftest import Rig, page_photo
from tests.support.qr import decode_qr


def test_sktm_with_scanned_documents_prints_the_tracking_code(rig: Rig) -> None:
    person = rig.people[0]
    page_photo(rig.tmp / "kk.jpg", 1)
    page_photo(rig.tmp / "rt.jpg", 2)
    record = rig.play(
        f"""
        [[step]]
        do = "tap_card"
        card_uid = "{person.card_uid}"
        [[step]]
        do = "pin"
        pin = "{person.pin}"
        [[step]]
        do = "expect"
        state = "menu"
        [[step]]
        do = "choose"
        service = "sktm"
        [[step]]
        do = "answer"
        value = "Beasiswa sekolah anak"
        [[step]]
        do = "answer"
        value = "Rp 500.001 - 1.000.000"
        [[step]]
        do = "scan"
        image = "kk.jpg"
        [[step]]
        do = "scan"
        image = "rt.jpg"
        [[step]]
        do = "expect"
        state = "review"
        [[step]]
        do = "notify"
        phone = "0812-3456-7890"
        [[step]]
        do = "submit"
        [[step]]
        do = "expect"
        state = "done"
        printed = true
    """,
    )
    with rig.central.context.sessions() as db:
        letter = db.scalars(select(LetterRequestRow)).one()
        documents = db.scalars(select(DocumentRow)).all()
    assert letter.status == 1  # Sedang Diperiksa: every required document arrived
    # The pages went through the capture pipeline: flattened, checked, encoded as PDF.
    assert [d.content_type for d in documents] == ["application/pdf", "application/pdf"]
    assert all(d.content.startswith(b"%PDF") for d in documents)
    guidance = [e for e in record.events if isinstance(e, ScanGuidance)]
    assert any(e.quad is not None for e in guidance)
    assert [e.phase for e in guidance].count("captured") == 2
    assert letter.tracking_code in rig.core.last_receipt_text()
    assert len(record.receipts) == 1
    # The receipt's QR is the centre's public tracking page (issue 15 item 4): a phone that
    # scans it sees the status and nothing personal.
    scanned = decode_qr(record.receipts[0])
    assert scanned == f"{rig.central.url}/lacak/{letter.tracking_code}"
    page = requests.get(scanned, timeout=10)
    assert page.status_code == 200 and "Sedang diperiksa" in page.text
    assert person.nik not in page.text and person.name not in page.text
    assert person.nik not in rig.core.last_receipt_text()
    assert person.nik[:4] + "********" + person.nik[12:] in rig.core.last_receipt_text()
    # The SMS/WhatsApp opt-in reached the centre with the letter, sealed there.
    assert opted_in(rig, letter.tracking_code) == "+6281234567890"


def opted_in(rig: Rig, tracking_code: str) -> str | None:
    """The number the centre keeps for ``tracking_code``'s notifications (opened with its
    key), after checking it is not there in plain."""
    with rig.central.context.sessions() as db:
        optin = db.get(NotificationOptIn, tracking_code)
        if optin is None:
            return None
        sealed = optin.phone_sealed
    assert b"234567890" not in sealed and b"198765432" not in sealed
    return box_for(rig.central.context.identifier_key).open(sealed)


def test_an_empty_tray_gives_guidance_and_a_clear_notice(rig: Rig) -> None:
    person = rig.people[0]
    empty = rig.tmp / "empty.jpg"
    cv2.imwrite(
        str(empty), cv2.GaussianBlur(np.full((720, 1280, 3), (70, 100, 140), np.uint8), (5, 5), 0)
    )
    record = rig.play(
        f"""
        [[step]]
        do = "tap_card"
        card_uid = "{person.card_uid}"
        [[step]]
        do = "pin"
        pin = "{person.pin}"
        [[step]]
        do = "choose"
        service = "domisili"
        [[step]]
        do = "answer"
        value = "Melamar kerja"
        [[step]]
        do = "scan"
        image = "empty.jpg"
        timeout_s = 2
        [[step]]
        do = "expect"
        state = "service"
        notice = "No page was captured"
    """,
    )
    guidance = [e for e in record.events if isinstance(e, ScanGuidance)]
    assert guidance and all(e.quad is None for e in guidance)
    assert "baki" in guidance[-1].guidance.id


def test_queue_ticket_is_numbered_and_printed(rig: Rig) -> None:
    person = rig.people[0]
    rig.play(
        f"""
        [[step]]
        do = "nik"
        nik = "{person.nik}"
        [[step]]
        do = "pin"
        pin = "{person.pin}"
        [[step]]
        do = "choose"
        service = "antrian"
        [[step]]
        do = "submit"
        [[step]]
        do = "expect"
        state = "done"
        receipt = "A-001"
    """,
    )


def test_bansos_in_a_taken_cluster_is_refused_naming_the_programme(rig: Rig) -> None:
    person = rig.people[0]  # holds PKH (cluster 'tunai') in the seed
    rig.play(
        f"""
        [[step]]
        do = "tap_card"
        card_uid = "{person.card_uid}"
        [[step]]
        do = "pin"
        pin = "{person.pin}"
        [[step]]
        do = "choose"
        service = "bansos"
        [[step]]
        do = "answer"
        value = "blt_dd"
        [[step]]
        do = "submit"
        [[step]]
        do = "expect"
        state = "review"
        notice = "PKH"
    """,
    )
    assert rig.core.receipt_files() == []


def test_information_for_the_kiosks_village(rig: Rig) -> None:
    info = rig.core.do(lambda s: s.information())
    assert info is not None and info.office_id == "35.10.01.2001"
    assert info.budgets and info.projects and info.announcements
    for line in info.budgets[0].lines:
        assert line.realised <= line.planned * 2


def test_complaint_while_the_centre_is_down_is_delivered_once_when_it_returns(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    person = rig.people[0]
    rig.play(
        f"""
        [[step]]
        do = "tap_card"
        card_uid = "{person.card_uid}"
        [[step]]
        do = "pin"
        pin = "{person.pin}"
        [[step]]
        do = "choose"
        service = "pengaduan"
        [[step]]
        do = "answer"
        value = "infrastruktur"
        [[step]]
        do = "answer"
        value = "Lampu jalan di RT 002 mati sejak seminggu."
        [[step]]
        do = "skip"
        [[step]]
        do = "notify"
        phone = "082198765432"
        [[step]]
        do = "centre"
        online = false
        [[step]]
        do = "submit"
        [[step]]
        do = "expect"
        state = "done"
        queued = 1
        printed = true
    """,
    )
    queued_slip = rig.core.last_receipt_text()
    local_ref = next(iter(rig.core.core.outbox.items())).local_ref
    assert local_ref in queued_slip.replace("\n", "")
    # Queued with its SMS/WhatsApp number: sealed in the outbox like the rest, in no plain
    # file and no log line.
    for path in (rig.tmp / "state").rglob("*"):
        if path.is_file():
            assert b"198765432" not in path.read_bytes(), path
    assert not any("198765432" in record.getMessage() for record in caplog.records)
    rig.core.set_centre_reachable(True)
    deadline = time.monotonic() + 20
    while rig.core.outbox_backlog() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert rig.core.outbox_backlog() == 0
    with rig.central.context.sessions() as db:
        rows = db.scalars(select(ComplaintRow)).all()
    assert len(rows) == 1
    assert rows[0].local_ref == local_ref
    assert opted_in(rig, rows[0].tracking_code) == "+6282198765432"
    assert not any("198765432" in record.getMessage() for record in caplog.records)


def test_lockout_is_reported_with_the_remaining_time(rig: Rig) -> None:
    person = rig.people[0]
    wrong = f"{(int(person.pin) + 1) % 10**6:06d}"
    steps = "".join(
        f"""
        [[step]]
        do = "tap_card"
        card_uid = "{person.card_uid}"
        [[step]]
        do = "pin"
        pin = "{wrong}"
        """
        for _ in range(3)
    )
    rig.play(
        steps
        + """
        [[step]]
        do = "expect"
        notice = "60"
        state = "idle"
    """,
    )


def test_timeout_wipes_the_session(rig: Rig) -> None:
    person = rig.people[0]
    rig.play(
        f"""
        [[step]]
        do = "tap_card"
        card_uid = "{person.card_uid}"
        [[step]]
        do = "pin"
        pin = "{person.pin}"
        [[step]]
        do = "choose"
        service = "domisili"
        [[step]]
        do = "answer"
        value = "Melamar pekerjaan di kota"
        [[step]]
        do = "idle"
        seconds = 61
        [[step]]
        do = "expect"
        state = "idle"
    """,
    )
    session = rig.core.core.session
    assert session.state is State.IDLE
    assert not session.holds_personal_data()
    dump = repr(vars(session)) + repr(vars(session._personal))
    for secret in (person.name, person.nik, person.card_uid, "Melamar pekerjaan"):
        assert secret not in dump
    outbox_file = (rig.tmp / "state" / "outbox.sqlite3").read_bytes()
    assert person.nik.encode() not in outbox_file
