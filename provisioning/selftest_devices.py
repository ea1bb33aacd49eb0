"""The self-test's hands-on rows: read a card (the technician taps one), print a test receipt,
capture a frame. Each uses the configured device as the kiosk will, through the drivers'
registries, and reports one row; none raises.

The card's number is personal data: the row says that a card was read and its kind, never
its UID. A simulated reader (a demo kiosk) taps a demo card by itself.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from drivers.base import DeviceKind
from drivers.probe import DeviceSpec
from provisioning.selftest import Check

CARD_WAIT_S = 30.0
FRAME_TIMEOUT_S = 10.0
SIMULATED_TAP_AFTER_S = 0.2
DEMO_CARD_UID = "04A1B2C3D4E5F6"  # the simulated reader's own card, never a resident's


def card_check(spec: DeviceSpec, wait_s: float, say: Callable[[str], None]) -> Check:
    """Waits up to ``wait_s`` for a card on the reader: the whole path from the reader to the
    event the session would see."""
    from common.events import EventBus
    from drivers.cards import CARD_READERS
    from drivers.cards.events import CardPresented, CardReadFailed

    seen: list[CardPresented | CardReadFailed] = []
    arrived = threading.Event()

    def note(event: CardPresented | CardReadFailed) -> None:
        seen.append(event)
        arrived.set()

    bus = EventBus()
    bus.subscribe(CardPresented, note)
    bus.subscribe(CardReadFailed, note)
    options: dict[str, Any] = dict(spec.options)
    if spec.driver == "simulated":
        from drivers.cards.simulated import SimStep

        options["script"] = (SimStep(SIMULATED_TAP_AFTER_S, "tap", DEMO_CARD_UID),)
    try:
        reader = CARD_READERS.create(spec.driver, bus=bus, **options)
        reader.start()
    except Exception as err:  # noqa: BLE001 - any driver fault is this row's answer
        return Check("card read", False, f"{type(err).__name__}: {err}")
    try:
        say(f"tap an e-KTP (or any card) on the reader within {wait_s:.0f} s …")
        arrived.wait(wait_s)
    finally:
        reader.stop()
    if not seen:
        return Check(
            "card read",
            False,
            f"no card within {wait_s:.0f} s: check the reader's cable and card_reader "
            "settings (--skip-card to leave this out)",
        )
    event = seen[0]
    if isinstance(event, CardReadFailed):
        return Check("card read", False, f"a card was there but not read: {event.reason}")
    return Check("card read", True, f"{spec.driver}: a card was read ({event.kind.value})")


def receipt_check(spec: DeviceSpec, kiosk_id: str | None) -> Check:
    """Prints a short, dated test receipt (no personal data) and reads the printer after."""
    from drivers.printer import PRINTERS
    from drivers.printer.errors import PrinterError
    from drivers.printer.receipt import Align, Receipt

    now = datetime.now(UTC)
    receipt = (
        Receipt()
        .title("ANJUNGAN")
        .text("Tes cetak / Test print", align=Align.CENTER)
        .pair("Kios / Kiosk", kiosk_id or "-")
        .pair("Waktu / Time", f"{now:%Y-%m-%d %H:%M} UTC")
        .cut()
    )
    try:
        printer = PRINTERS.create(spec.driver, **{**spec.options, "poll_period": None})
    except Exception as err:  # noqa: BLE001 - any driver fault is this row's answer
        return Check("test receipt", False, f"{type(err).__name__}: {err}")
    try:
        result = printer.print(receipt)
    except PrinterError as err:
        return Check("test receipt", False, f"{err}: fix the printer, then run selftest again")
    finally:
        printer.close()
    how = "confirmed by the printer" if result.confirmed else "sent (the printer cannot confirm)"
    return Check("test receipt", True, f"{spec.driver}: printed, {how}; check the paper")


def frame_check(spec: DeviceSpec, timeout_s: float = FRAME_TIMEOUT_S) -> Check:
    from drivers.camera import CAMERAS, CameraUnavailable

    try:
        camera = CAMERAS.create(spec.driver, **spec.options)
    except Exception as err:  # noqa: BLE001 - any driver fault is this row's answer
        return Check("camera frame", False, f"{type(err).__name__}: {err}")
    with camera:
        try:
            frame = camera.capture_still(timeout_s)
        except CameraUnavailable as err:
            return Check("camera frame", False, f"{err}: check the camera's cable and device")
    return Check("camera frame", True, f"{spec.driver}: {frame.width}x{frame.height}")


def hands_on_checks(
    specs: list[DeviceSpec],
    kiosk_id: str | None,
    *,
    skip: frozenset[str],
    card_wait_s: float,
    say: Callable[[str], None],
) -> list[Check]:
    """One row per hands-on check; a skipped one (``skip`` names ``card``, ``receipt``,
    ``frame``) or one whose device is not fitted says so."""
    by_kind = {spec.kind: spec for spec in specs}
    rows = []
    for name, row, kind in (
        ("card", "card read", DeviceKind.CARD_READER),
        ("receipt", "test receipt", DeviceKind.PRINTER),
        ("frame", "camera frame", DeviceKind.CAMERA),
    ):
        spec = by_kind.get(kind)
        if name in skip:
            rows.append(Check(row, True, f"skipped (--skip-{name})", skipped=True))
        elif spec is None:
            rows.append(Check(row, True, "no device fitted", skipped=True))
        elif name == "card":
            rows.append(card_check(spec, card_wait_s, say))
        elif name == "receipt":
            rows.append(receipt_check(spec, kiosk_id))
        else:
            rows.append(frame_check(spec))
    return rows
