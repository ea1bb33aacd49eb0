"""ATR kinds, canonical UIDs, UID replies, reader choice, registry and the simulator."""

from __future__ import annotations

import logging

import pytest

from common.events import EventBus
from drivers.base import DeviceState, UnknownDriver
from drivers.cards import CARD_READERS
from drivers.cards.atr import card_kind
from drivers.cards.errors import CardReadError, ReaderGone
from drivers.cards.events import CardKind, CardPresented, CardReadFailed, CardRemoved
from drivers.cards.pcsc import parse_uid_response, pick_reader
from drivers.cards.simulated import SimStep, SimulatedCardReader
from tests.drivers.cards.recorder import Recorder
from tests.vcard.card import EKTP_TYPE_A_ATR, type_b_atr

pytestmark = pytest.mark.in_process


def test_atr_kinds() -> None:
    assert card_kind(EKTP_TYPE_A_ATR) is CardKind.EKTP_TYPE_A
    assert card_kind(type_b_atr(bytes.fromhex("DEADBEEF"))) is CardKind.EKTP_TYPE_B
    assert card_kind(type_b_atr(bytes.fromhex("00000000"))) is CardKind.EKTP_TYPE_B
    # A MIFARE Classic ATR, a truncated e-KTP ATR and one wrong fixed byte are "other".
    assert card_kind(bytes.fromhex("3B8F8001804F0CA000000306030001000000006A")) is CardKind.OTHER
    assert card_kind(EKTP_TYPE_A_ATR[:-1]) is CardKind.OTHER
    wrong = bytearray(type_b_atr(b"\x00" * 4))
    wrong[10] = 0xAB
    assert card_kind(bytes(wrong)) is CardKind.OTHER


def test_uid_reply_parsing() -> None:
    assert parse_uid_response(bytes.fromhex("04a1b2c3d4e5f6 9000")) == "04A1B2C3D4E5F6"
    with pytest.raises(CardReadError, match="6A81"):
        parse_uid_response(bytes.fromhex("6A81"))
    with pytest.raises(CardReadError, match="no status word"):
        parse_uid_response(b"\x90")
    with pytest.raises(CardReadError, match="4, 7 or 10 bytes"):
        parse_uid_response(bytes.fromhex("0102 9000"))


def test_pick_reader_by_glob() -> None:
    readers = ["Virtual PCD 00 00", "ACS ACR1252 Dual Reader [ACR1252 Dual Reader PICC] 00 00"]
    assert pick_reader(readers, "*PICC*") == readers[1]
    assert pick_reader(readers, "") == readers[0]
    with pytest.raises(ReaderGone, match=r"readers: Virtual PCD 00 00, ACS"):
        pick_reader(readers, "Identiv*")


def test_registry_names_and_no_fallback() -> None:
    assert sorted(CARD_READERS.factories) == ["keyboard-wedge", "pcsc", "serial", "simulated"]
    with pytest.raises(UnknownDriver, match="choose one of: keyboard-wedge, pcsc"):
        CARD_READERS.create("acr122", bus=EventBus())
    reader = CARD_READERS.create("simulated", bus=EventBus())
    assert isinstance(reader, SimulatedCardReader)


def test_simulator_events_and_faults(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    bus = EventBus()
    recorder = Recorder(bus)
    sim = SimulatedCardReader(bus, reader_name="sim")
    sim.start()
    sim.tap("04a1b2c3d4e5f6")
    sim.tap("1A2B3C4D", atr_hex=type_b_atr(b"\x01\x02\x03\x04").hex())  # a swap
    sim.fail_read()
    sim.unplug()
    sim.replug()
    names = [type(e).__name__ for e in recorder.events]
    assert names == [
        "StatusChanged", "CardPresented", "CardRemoved", "CardPresented", "CardRemoved",
        "StatusChanged", "CardReadFailed", "CardRemoved", "StatusChanged", "StatusChanged",
    ]  # fmt: skip
    first, second = recorder.of(CardPresented)
    assert (first.uid_hex, first.kind) == ("04A1B2C3D4E5F6", CardKind.EKTP_TYPE_A)
    assert (second.uid_hex, second.kind) == ("1A2B3C4D", CardKind.EKTP_TYPE_B)
    assert "6A81" in recorder.of(CardReadFailed)[0].reason
    assert sim.status().state is DeviceState.ONLINE
    assert "04A1B2C3D4E5F6" not in caplog.text and "04A1B2C3D4E5F6" not in repr(first)


def test_simulator_plays_a_script() -> None:
    bus = EventBus()
    recorder = Recorder(bus)
    script = [SimStep(0.01, "tap", uid_hex="01020304"), SimStep(0.01, "remove"),
              SimStep(0.01, "unplug")]  # fmt: skip
    sim = SimulatedCardReader(bus, script=script)
    sim.start()
    try:
        recorder.wait_state(DeviceState.OFFLINE)
    finally:
        sim.stop()
    assert recorder.of(CardPresented)[0].uid_hex == "01020304"
    assert len(recorder.of(CardRemoved)) == 1


def test_script_with_a_bad_uid_fails_when_written() -> None:
    with pytest.raises(CardReadError):
        SimStep(0.0, "tap", uid_hex="not-hex")
