"""The PC/SC driver against a real pcscd with the vpcd reader and a virtual e-KTP card."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from common.events import EventBus
from drivers.base import DeviceState, StatusChanged
from drivers.cards.events import CardKind, CardPresented, CardReadFailed, CardRemoved
from drivers.cards.pcsc import PcscReader
from tests.drivers.cards.recorder import Recorder
from tests.vcard.card import CardProfile, VirtualCard, type_b_atr
from tests.vcard.stack import PcscStack

TYPE_A_UID = bytes.fromhex("04A1B2C3D4E5F6")


@pytest.fixture
def reader(pcsc_stack: PcscStack, bus: EventBus, recorder: Recorder) -> Iterator[PcscReader]:
    driver = PcscReader(bus, reader_pattern="virtual pcd 00 00")
    driver.start()
    recorder.wait_state(DeviceState.ONLINE)
    yield driver
    driver.stop()
    pcsc_stack.wait_empty(0)
    pcsc_stack.wait_empty(1)


def tap(stack: PcscStack, profile: CardProfile, slot: int = 0) -> VirtualCard:
    card = VirtualCard(profile, stack.card_port(slot))
    card.insert()
    return card


def test_type_a_card_presented_then_removed(
    pcsc_stack: PcscStack, reader: PcscReader, recorder: Recorder
) -> None:
    card = tap(pcsc_stack, CardProfile.ektp_type_a(TYPE_A_UID))
    presented = recorder.wait_for(CardPresented)
    assert presented.uid_hex == "04A1B2C3D4E5F6"
    assert presented.kind is CardKind.EKTP_TYPE_A
    assert presented.atr_hex == "3B8B8001654B5450304432654B54504C"
    assert presented.reader == pcsc_stack.reader_name(0)
    assert card.apdus == [bytes.fromhex("FFCA000000")]

    mark = recorder.mark()
    card.remove()
    assert recorder.wait_for(CardRemoved, after=mark).reader == pcsc_stack.reader_name(0)
    assert reader.status().state is DeviceState.ONLINE


def test_type_b_card_has_4_byte_pupi_and_type_b_kind(
    pcsc_stack: PcscStack, reader: PcscReader, recorder: Recorder
) -> None:
    profile = CardProfile.ektp_type_b(pupi=bytes.fromhex("1A2B3C4D"))
    with tap(pcsc_stack, profile):
        presented = recorder.wait_for(CardPresented)
    assert presented.uid_hex == "1A2B3C4D"
    assert presented.kind is CardKind.EKTP_TYPE_B
    assert presented.atr_hex == profile.atr.hex().upper()


def test_two_different_cards_in_a_row(
    pcsc_stack: PcscStack, reader: PcscReader, recorder: Recorder
) -> None:
    with tap(pcsc_stack, CardProfile.ektp_type_a(TYPE_A_UID)):
        first = recorder.wait_for(CardPresented)
    recorder.wait_for(CardRemoved)
    mark = recorder.mark()
    with tap(pcsc_stack, CardProfile.ektp_type_b(pupi=bytes.fromhex("CAFEBABE"))):
        second = recorder.wait_for(CardPresented, after=mark)
    recorder.wait_for(CardRemoved, after=mark)
    assert (first.uid_hex, second.uid_hex) == ("04A1B2C3D4E5F6", "CAFEBABE")
    kinds = [type(e).__name__ for e in recorder.events if not isinstance(e, StatusChanged)]
    assert kinds == ["CardPresented", "CardRemoved", "CardPresented", "CardRemoved"]


def test_card_answering_6a81_is_a_read_failure_not_a_crash(
    pcsc_stack: PcscStack, reader: PcscReader, recorder: Recorder
) -> None:
    profile = CardProfile(atr=type_b_atr(b"\x00\x00\x00\x00"), uid=b"", uid_status=b"\x6a\x81")
    with tap(pcsc_stack, profile):
        failed = recorder.wait_for(CardReadFailed)
        assert "6A81" in failed.reason
        assert reader.status().last_error is not None
        assert reader.status().state is DeviceState.ONLINE
    recorder.wait_for(CardRemoved)
    assert recorder.of(CardPresented) == []
    # The reader still works for the next card.
    mark = recorder.mark()
    with tap(pcsc_stack, CardProfile.ektp_type_a(TYPE_A_UID)):
        assert recorder.wait_for(CardPresented, after=mark).uid_hex == "04A1B2C3D4E5F6"


def test_card_pulled_mid_read_reports_removed(
    pcsc_stack: PcscStack, reader: PcscReader, recorder: Recorder
) -> None:
    profile = CardProfile(atr=CardProfile.ektp_type_a().atr, uid=TYPE_A_UID, hold_uid_reply=True)
    card = tap(pcsc_stack, profile)
    assert card.apdu_waiting.wait(15)
    card.remove()
    recorder.wait_for(CardRemoved)
    assert recorder.of(CardPresented) == []
    assert reader.status().state is DeviceState.ONLINE
    mark = recorder.mark()
    with tap(pcsc_stack, CardProfile.ektp_type_a(TYPE_A_UID)):
        recorder.wait_for(CardPresented, after=mark)


def test_reader_chosen_by_name_pattern(
    pcsc_stack: PcscStack, bus: EventBus, recorder: Recorder
) -> None:
    driver = PcscReader(bus, reader_pattern="*PCD 00 01")
    driver.start()
    try:
        recorder.wait_state(DeviceState.ONLINE)
        with (
            tap(pcsc_stack, CardProfile.ektp_type_a(TYPE_A_UID), slot=0),
            tap(pcsc_stack, CardProfile.ektp_type_b(), slot=1),
        ):
            presented = recorder.wait_for(CardPresented)
        assert presented.reader == pcsc_stack.reader_name(1)
        assert presented.kind is CardKind.EKTP_TYPE_B
        assert len(recorder.of(CardPresented)) == 1
    finally:
        driver.stop()
        pcsc_stack.wait_empty(0)
        pcsc_stack.wait_empty(1)


def test_no_matching_reader_is_offline_with_reason(
    pcsc_stack: PcscStack, bus: EventBus, recorder: Recorder
) -> None:
    driver = PcscReader(bus, reader_pattern="ACS ACR1252*")
    driver.start()
    try:
        offline = recorder.wait_state(DeviceState.OFFLINE)
        assert "ACS ACR1252*" in (offline.status.last_error or "")
    finally:
        driver.stop()


def test_pcscd_restart_goes_offline_then_recovers(
    pcsc_stack: PcscStack, reader: PcscReader, recorder: Recorder
) -> None:
    mark = recorder.mark()
    pcsc_stack.restart()
    recorder.wait_state(DeviceState.OFFLINE, after=mark)
    recorder.wait_state(DeviceState.ONLINE, after=mark)
    with tap(pcsc_stack, CardProfile.ektp_type_a(TYPE_A_UID)):
        assert recorder.wait_for(CardPresented, after=mark).uid_hex == "04A1B2C3D4E5F6"


def test_reader_unplugged_and_replugged(
    pcsc_stack: PcscStack, reader: PcscReader, recorder: Recorder
) -> None:
    card = tap(pcsc_stack, CardProfile.ektp_type_a(TYPE_A_UID))
    recorder.wait_for(CardPresented)
    mark = recorder.mark()
    pcsc_stack.restart(with_reader=False)  # pcscd comes back without the reader
    card.remove()
    recorder.wait_for(CardRemoved, after=mark)
    offline = recorder.wait_for(
        StatusChanged, lambda e: "no card reader matches" in (e.status.last_error or ""), mark
    )
    assert offline.status.state is DeviceState.OFFLINE
    mark = recorder.mark()
    pcsc_stack.restart(with_reader=True)
    recorder.wait_state(DeviceState.ONLINE, after=mark)
    with tap(pcsc_stack, CardProfile.ektp_type_b()):
        assert recorder.wait_for(CardPresented, after=mark).kind is CardKind.EKTP_TYPE_B
