"""UNAVAILABLE(reason) driven by device status: into service and out again, no idle timer."""

from __future__ import annotations

import pytest

from central.contract.models import UnavailableReason
from drivers.base import Cover, DeviceKind, DeviceState, DeviceStatus, Supply
from kiosk.session import AppState, State
from kiosk.session.availability import Needs, unavailable_reason
from kiosk.session.events import Notice, StateChanged
from tests.session.fakes import CARD, PIN, Rig, make_rig, signed_in

pytestmark = pytest.mark.in_process

PRINTER_OK = DeviceStatus(DeviceKind.PRINTER, DeviceState.ONLINE, Supply.FULL, Cover.CLOSED)
PAPER_OUT = DeviceStatus(DeviceKind.PRINTER, DeviceState.OFFLINE, Supply.OUT, Cover.CLOSED)
COVER_OPEN = DeviceStatus(DeviceKind.PRINTER, DeviceState.OFFLINE, Supply.FULL, Cover.OPEN)
PRINTER_GONE = DeviceStatus(DeviceKind.PRINTER, DeviceState.OFFLINE, Supply.UNKNOWN)
READER_OK = DeviceStatus(DeviceKind.CARD_READER, DeviceState.ONLINE)
READER_GONE = DeviceStatus(DeviceKind.CARD_READER, DeviceState.OFFLINE)
CAMERA_GONE = DeviceStatus(DeviceKind.CAMERA, DeviceState.ERROR)

HW, PAPER, BACKEND = (
    UnavailableReason.HARDWARE,
    UnavailableReason.CONSUMABLES,
    UnavailableReason.BACKEND,
)
STRICT = Needs(receipt_on_screen=False, scan_needed=True, offline_services=True)


@pytest.mark.parametrize(
    ("devices", "centre_online", "needs", "expected"),
    [
        ([PRINTER_OK, READER_OK], True, STRICT, None),
        ([], True, STRICT, None),  # nothing reported yet is not a fault
        ([READER_GONE], True, STRICT, HW),
        ([CAMERA_GONE], True, STRICT, HW),
        ([CAMERA_GONE], True, Needs(scan_needed=False), None),
        ([PAPER_OUT], True, STRICT, PAPER),
        ([COVER_OPEN], True, STRICT, PAPER),
        ([PRINTER_GONE], True, STRICT, HW),
        ([PAPER_OUT], True, Needs(receipt_on_screen=True), None),
        ([PAPER_OUT, READER_GONE], True, STRICT, HW),  # the more urgent cause is named
        ([], False, STRICT, None),  # the outbox carries letters, complaints, bansos
        ([], False, Needs(offline_services=False), BACKEND),
    ],
)
def test_rule(
    devices: list[DeviceStatus],
    centre_online: bool,
    needs: Needs,
    expected: UnavailableReason | None,
) -> None:
    by_kind = {status.kind: status for status in devices}
    assert unavailable_reason(by_kind, centre_online=centre_online, needs=needs) == expected


def test_maintenance_wins_over_everything() -> None:
    reason = unavailable_reason(
        {DeviceKind.CARD_READER: READER_GONE}, centre_online=False, needs=STRICT, maintenance=True
    )
    assert reason is UnavailableReason.MAINTENANCE


@pytest.fixture
def strict() -> Rig:
    """A kiosk whose config allows no on-screen receipt: paper out means out of service."""
    rig = make_rig(receipt_on_screen=False)
    rig.session.refresh_catalog()
    return rig


def test_paper_out_then_in_with_no_timer_back(strict: Rig) -> None:
    session = strict.session
    session.device_changed(PRINTER_OK)
    assert session.availability.app_state is AppState.AVAILABLE
    session.device_changed(PAPER_OUT)
    assert session.state is State.OUT_OF_SERVICE
    assert session.availability.reason is UnavailableReason.CONSUMABLES
    notice = strict.of(Notice)[-1]
    assert "paper" in notice.message.en and "kertas" in notice.message.id
    for _ in range(1000):  # far past every idle timeout: nothing brings it back by itself
        strict.clock.now += 1
        session.tick()
    assert session.state is State.OUT_OF_SERVICE
    session.tap_card(CARD)  # nobody is served while it is out
    assert session.state is State.OUT_OF_SERVICE
    session.device_changed(PRINTER_OK)
    assert session.state is State.IDLE and session.app_state is AppState.AVAILABLE
    moves = [(e.previous, e.state) for e in strict.of(StateChanged)]
    assert moves == [(State.IDLE, State.OUT_OF_SERVICE), (State.OUT_OF_SERVICE, State.IDLE)]


def test_a_new_cause_while_out_changes_the_reason(strict: Rig) -> None:
    strict.session.device_changed(PAPER_OUT)
    strict.session.device_changed(READER_GONE)
    assert strict.session.availability.reason is UnavailableReason.HARDWARE
    strict.session.device_changed(READER_OK)
    assert strict.session.availability.reason is UnavailableReason.CONSUMABLES
    strict.session.device_changed(PRINTER_OK)
    assert strict.session.state is State.IDLE


def test_a_resident_being_served_finishes_first(strict: Rig) -> None:
    signed_in(strict)
    strict.session.device_changed(PAPER_OUT)
    assert strict.session.state is State.MENU
    assert strict.session.app_state is AppState.ACTIVE
    strict.session.cancel()
    assert strict.session.state is State.OUT_OF_SERVICE
    assert not strict.session.holds_personal_data()


def test_with_on_screen_receipts_paper_out_keeps_serving(rig: Rig) -> None:
    rig.session.refresh_catalog()
    rig.session.device_changed(PAPER_OUT)
    assert rig.session.state is State.IDLE
    assert not rig.session.printer_ready


def test_centre_gone_with_nothing_offline_capable_is_backend(rig: Rig) -> None:
    rig.client.online = False
    rig.session.refresh_catalog()  # never had a catalog: nothing can be offered
    assert rig.session.availability.reason is UnavailableReason.BACKEND
    rig.client.online = True
    rig.session.centre_reachable(True)
    assert rig.session.state is State.IDLE
    rig.session.tap_card(CARD)
    rig.session.enter_pin(PIN)
    assert rig.session.state is State.MENU


def test_a_kiosk_without_a_catalog_asks_again_on_its_own_backing_off(rig: Rig) -> None:
    """The first fetch lost (a timeout at start): the tick asks again after 1 s, 2 s, 4 s…
    and the kiosk comes back in service without waiting for a heartbeat."""
    rig.client.online = False
    rig.session.refresh_catalog()
    assert rig.session.availability.reason is UnavailableReason.BACKEND
    asked_at = []
    for _ in range(80):  # 8 s in tenths
        rig.clock.now += 0.1
        before = rig.client.calls.count("catalog")
        rig.session.tick()
        if rig.client.calls.count("catalog") > before:
            asked_at.append(round(rig.clock.now - 1000.0, 1))
    assert asked_at == [1.0, 3.0, 7.0]
    rig.client.online = True
    rig.clock.now += 8.0
    rig.session.tick()
    assert rig.session.state is State.IDLE
    rig.clock.now += 100.0
    calls = rig.client.calls.count("catalog")
    rig.session.tick()
    assert rig.client.calls.count("catalog") == calls  # a catalog in hand: no more asking


def test_maintenance_on_and_off(rig: Rig) -> None:
    rig.session.set_maintenance(True)
    assert rig.session.availability.reason is UnavailableReason.MAINTENANCE
    rig.session.set_maintenance(False)
    assert rig.session.state is State.IDLE
