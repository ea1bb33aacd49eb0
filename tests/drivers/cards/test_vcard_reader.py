"""Our event-driven vpcd-compatible reader driver (tests/vcard/ifd) under a real pcscd.

The kiosk's PC/SC driver is tested against it in test_pcsc_stack.py; these tests pin down the
reader itself through plain PC/SC calls: what pcscd lists, the ATR, an APDU round trip, card
removal, independent slots, cards that misbehave, and shutting pcscd down with waits pending.
Speed (a tap seen without waiting for pcscd's 400 ms poll) is bench/drivers_card.py's job.
"""

from __future__ import annotations

import signal
import socket
from collections.abc import Iterator

import pytest
from smartcard import scard

from tests.vcard.card import EKTP_TYPE_A_ATR, CardProfile, VirtualCard
from tests.vcard.stack import PcscStack, ReaderDriver

pytestmark = pytest.mark.parametrize(
    "pcsc_stack", [ReaderDriver.EVENTS], indirect=True, ids=["events"]
)

WAIT_MS = 10_000
UID = bytes.fromhex("04A1B2C3D4E5F6")


@pytest.fixture
def context(pcsc_stack: PcscStack) -> Iterator[int]:
    rc, hcontext = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    assert rc == scard.SCARD_S_SUCCESS, scard.SCardGetErrorMessage(rc)
    yield hcontext
    scard.SCardReleaseContext(hcontext)
    pcsc_stack.wait_empty(0)
    pcsc_stack.wait_empty(1)


def state_after_change(context: int, reader: str, wanted: int) -> tuple[int, bytes]:
    """Wait until pcscd reports ``wanted`` (a SCARD_STATE_* bit) for ``reader``; its state
    word and ATR. Fails the test if that does not happen within WAIT_MS."""
    rc, found = scard.SCardGetStatusChange(context, 0, [(reader, scard.SCARD_STATE_UNAWARE)])
    assert rc == scard.SCARD_S_SUCCESS, scard.SCardGetErrorMessage(rc)
    while not found[0][1] & wanted:
        known = found[0][1] & ~scard.SCARD_STATE_CHANGED
        rc, found = scard.SCardGetStatusChange(context, WAIT_MS, [(reader, known)])
        assert rc == scard.SCARD_S_SUCCESS, scard.SCardGetErrorMessage(rc)
    return found[0][1], bytes(found[0][2])


def transmit(context: int, reader: str, apdu: bytes) -> bytes:
    rc, card, protocol = scard.SCardConnect(
        context, reader, scard.SCARD_SHARE_SHARED, scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
    )
    assert rc == scard.SCARD_S_SUCCESS, scard.SCardGetErrorMessage(rc)
    try:
        rc, response = scard.SCardTransmit(card, protocol, list(apdu))
        assert rc == scard.SCARD_S_SUCCESS, scard.SCardGetErrorMessage(rc)
        return bytes(response)
    finally:
        scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)


def test_pcscd_lists_both_slots_and_uses_the_readers_own_event_thread(
    pcsc_stack: PcscStack,
) -> None:
    assert pcsc_stack.readers() == [pcsc_stack.reader_name(0), pcsc_stack.reader_name(1)]
    log = pcsc_stack.log_path.read_text()
    assert "Using the reader polling thread" in log  # TAG_IFD_POLLING_THREAD_WITH_TIMEOUT
    assert "Using the pcscd polling thread" not in log


def test_card_atr_apdu_round_trip_and_removal(pcsc_stack: PcscStack, context: int) -> None:
    reader = pcsc_stack.reader_name(0)
    card = VirtualCard(CardProfile.ektp_type_a(UID), pcsc_stack.card_port(0))
    card.insert()
    state, atr = state_after_change(context, reader, scard.SCARD_STATE_PRESENT)
    assert atr == EKTP_TYPE_A_ATR
    assert transmit(context, reader, bytes.fromhex("FFCA000000")) == UID + b"\x90\x00"
    assert card.apdus == [bytes.fromhex("FFCA000000")]

    card.remove()
    state, atr = state_after_change(context, reader, scard.SCARD_STATE_EMPTY)
    assert not state & scard.SCARD_STATE_PRESENT
    assert atr == b""
    assert not card.hung_up.is_set()  # the card left; the reader never dropped it


def test_slots_are_independent(pcsc_stack: PcscStack, context: int) -> None:
    profile = CardProfile.ektp_type_b(pupi=bytes.fromhex("CAFEBABE"))
    with VirtualCard(profile, pcsc_stack.card_port(1)):
        _, atr = state_after_change(context, pcsc_stack.reader_name(1), scard.SCARD_STATE_PRESENT)
        assert atr == profile.atr
        state, _ = state_after_change(context, pcsc_stack.reader_name(0), scard.SCARD_STATE_EMPTY)
        assert not state & scard.SCARD_STATE_PRESENT
        response = transmit(context, pcsc_stack.reader_name(1), bytes.fromhex("FFCA000000"))
        assert response == bytes.fromhex("CAFEBABE9000")
    state_after_change(context, pcsc_stack.reader_name(1), scard.SCARD_STATE_EMPTY)


def test_card_that_never_answers_is_dropped_and_the_next_card_works(
    pcsc_stack: PcscStack, context: int
) -> None:
    reader = pcsc_stack.reader_name(0)
    with socket.create_connection(("127.0.0.1", pcsc_stack.card_port(0)), timeout=5) as mute:
        mute.settimeout(WAIT_MS / 1000)
        received = b""
        while chunk := mute.recv(64):  # the reader asks for the ATR, then gives up on us
            received += chunk
        assert received.startswith(b"\x00\x01\x04")  # a get-ATR request went out
    state, _ = state_after_change(context, reader, scard.SCARD_STATE_EMPTY)
    assert not state & scard.SCARD_STATE_PRESENT

    with VirtualCard(CardProfile.ektp_type_a(UID), pcsc_stack.card_port(0)):
        _, atr = state_after_change(context, reader, scard.SCARD_STATE_PRESENT)
        assert atr == EKTP_TYPE_A_ATR


def test_atr_longer_than_pcsc_allows_is_refused_with_a_reason(
    pcsc_stack: PcscStack, context: int
) -> None:
    card = VirtualCard(CardProfile(atr=bytes(40), uid=UID), pcsc_stack.card_port(0))
    card.insert()
    assert card.hung_up.wait(WAIT_MS / 1000)
    card.remove()
    state, _ = state_after_change(context, pcsc_stack.reader_name(0), scard.SCARD_STATE_EMPTY)
    assert not state & scard.SCARD_STATE_PRESENT
    assert "ATR longer than 33 bytes" in pcsc_stack.log_path.read_text()


@pytest.mark.parametrize(
    ("sig", "exit_code"), [(signal.SIGINT, 1), (signal.SIGTERM, 0)], ids=["SIGINT", "SIGTERM"]
)
def test_pcscd_shuts_down_with_a_card_in_and_both_waits_pending(
    pcsc_stack: PcscStack, context: int, sig: signal.Signals, exit_code: int
) -> None:
    """SIGINT is pcscd's orderly shutdown: for each slot it asks our driver to end the
    event thread's wait, joins the thread and closes the channel (and exits 1, as after any
    Ctrl-C); SIGTERM exits 0 at once. A wait that could not be ended would keep pcscd alive
    until stop() kills it (exit code -9)."""
    card = VirtualCard(CardProfile.ektp_type_a(UID), pcsc_stack.card_port(0))
    card.insert()
    state_after_change(context, pcsc_stack.reader_name(0), scard.SCARD_STATE_PRESENT)
    log_start = pcsc_stack.log_path.stat().st_size
    try:
        pcsc_stack.stop(sig=sig)
        assert pcsc_stack.last_exit_code == exit_code
        assert card.hung_up.wait(WAIT_MS / 1000)  # channel closed: the card sees the reader go
        if sig is signal.SIGINT:
            log = pcsc_stack.log_path.read_bytes()[log_start:].decode()
            assert log.count("Request stopping of polling thread") == 2  # one per slot
            assert log.count("Thread stomped.") == 2
            assert "Unloading reader driver" in log
    finally:
        card.remove()
        pcsc_stack.start()
