"""The out-of-service cycle on the real stacks, in process: the ESC/POS emulator's paper
switch and the virtual reader behind pcscd drive UNAVAILABLE(reason) and back."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from central.contract.models import UnavailableReason
from drivers.base import DeviceState
from drivers.emulator import PaperState, PrinterEmulator, TcpPrinterServer
from kiosk.assembly import KioskCore, build_core
from kiosk.config import load_kiosk_config
from kiosk.session import AppState, State
from kiosk.session.states import Availability
from tests.runtime.conftest import wait_for
from tests.vcard.card import CardProfile, VirtualCard
from tests.vcard.stack import PcscStack

CHANGE_S = 5.0  # a status poll (0.2 s) and the owner's turn, with room for a busy machine


class Clock:
    """The session's monotonic clock, pushed forward by the test."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset


@pytest.fixture
def kiosk(enrolled_config: Path) -> Iterator[tuple[KioskCore, Clock]]:
    clock = Clock()
    core = build_core(load_kiosk_config(enrolled_config, env={}), clock=clock)
    core.start()
    yield core, clock
    core.stop()


def _availability(core: KioskCore) -> Availability:
    return core.owner.call(lambda s: s.availability, 10)


def test_paper_and_reader_take_the_kiosk_out_and_bring_it_back(
    kiosk: tuple[KioskCore, Clock],
    emulator: tuple[PrinterEmulator, TcpPrinterServer],
    pcsc: PcscStack,
) -> None:
    core, clock = kiosk
    printer, _ = emulator
    wait_for(lambda: core.card_reader.status().state is DeviceState.ONLINE, CHANGE_S, "reader")
    wait_for(lambda: core.printer.status().state is DeviceState.ONLINE, CHANGE_S, "printer")
    assert _availability(core).app_state is AppState.AVAILABLE

    with VirtualCard(CardProfile.ektp_type_a(), pcsc.card_port(0)):  # a tap through pcscd
        wait_for(lambda: core.owner.call(lambda s: s.state) is State.VERIFYING_PIN, CHANGE_S, "tap")
    core.owner.call(lambda s: s.cancel())
    pcsc.wait_empty(0)

    printer.set_paper(PaperState.OUT)
    out = Availability(AppState.UNAVAILABLE, UnavailableReason.CONSUMABLES)
    wait_for(lambda: _availability(core) == out, CHANGE_S, "out of service for paper")
    clock.offset += 3600  # an hour without a touch: no timer brings it back
    core.owner.call(lambda s: s.tick())
    assert _availability(core) == out
    printer.set_paper(PaperState.FULL)
    wait_for(
        lambda: _availability(core).app_state is AppState.AVAILABLE, CHANGE_S, "back in service"
    )

    pcsc.restart(with_reader=False)  # the reader unplugged
    try:
        gone = Availability(AppState.UNAVAILABLE, UnavailableReason.HARDWARE)
        wait_for(lambda: _availability(core) == gone, CHANGE_S * 2, "out of service: reader")
    finally:
        pcsc.restart(with_reader=True)
    wait_for(
        lambda: _availability(core).app_state is AppState.AVAILABLE, CHANGE_S * 4, "reader back"
    )
