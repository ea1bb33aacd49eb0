"""When the kiosk must stop serving residents, and why: one pure rule over device status.

The session asks it after every device or centre change. Keeping the rule out of the state
machine lets a table-driven test cover it and lets the heartbeat and the screen share one
answer (``UnavailableReason``).
"""

from __future__ import annotations

from dataclasses import dataclass

from central.contract.models import UnavailableReason
from drivers.base import Cover, DeviceKind, DeviceState, DeviceStatus, Supply


@dataclass(frozen=True)
class Needs:
    """What the kiosk's configuration and catalog make it depend on."""

    receipt_on_screen: bool = True  # config: a printer fault may fall back to an on-screen QR
    scan_needed: bool = False  # the catalog has a letter asking for a scanned document
    offline_services: bool = True  # something on the menu works while the centre is away


def _gone(status: DeviceStatus | None) -> bool:
    """Offline or in error. ``unknown`` (not answered yet) and ``busy`` are not faults."""
    return status is not None and status.state in {DeviceState.OFFLINE, DeviceState.ERROR}


def _printer_reason(printer: DeviceStatus | None, needs: Needs) -> UnavailableReason | None:
    if printer is None or needs.receipt_on_screen:
        return None
    # A printer out of paper or with its cover open also reports itself offline: the paper is
    # the cause to name (someone refills it), not the hardware.
    if printer.supply is Supply.OUT or printer.cover is Cover.OPEN:
        return UnavailableReason.CONSUMABLES
    return UnavailableReason.HARDWARE if _gone(printer) else None


def unavailable_reason(
    devices: dict[DeviceKind, DeviceStatus],
    *,
    centre_online: bool,
    needs: Needs,
    maintenance: bool = False,
) -> UnavailableReason | None:
    """Why the kiosk cannot serve now (most urgent first), or None when it can.

    A device with no status yet is not held against the kiosk: the drivers report within
    their first poll, and a kiosk that never hears from a device shows it ``unknown`` in the
    heartbeat, where the fleet sees it.
    """
    reader_gone = _gone(devices.get(DeviceKind.CARD_READER))
    camera_gone = needs.scan_needed and _gone(devices.get(DeviceKind.CAMERA))
    if maintenance:
        return UnavailableReason.MAINTENANCE
    if reader_gone or camera_gone:
        return UnavailableReason.HARDWARE
    printer = _printer_reason(devices.get(DeviceKind.PRINTER), needs)
    if printer is not None:
        return printer
    if not centre_online and not needs.offline_services:
        return UnavailableReason.BACKEND
    return None
