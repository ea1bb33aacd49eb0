"""Card readers: PC/SC, keyboard wedge, serial (virtual COM) and a simulator.

``CARD_READERS`` maps the config name to a factory. Factories import their driver on first use,
so a kiosk configured for the simulator does not need pyscard or pyserial installed, and a kiosk
configured for real hardware gets that driver or a loud error, never a quiet simulator.
"""

from __future__ import annotations

from typing import Any

from drivers.base import DeviceKind, Registry
from drivers.cards.reader import CardReader


def _pcsc(**options: Any) -> CardReader:
    from drivers.cards.pcsc import PcscReader

    return PcscReader(**options)


def _keyboard_wedge(**options: Any) -> CardReader:
    from drivers.cards.wedge import KeyboardWedgeReader

    return KeyboardWedgeReader(**options)


def _serial(**options: Any) -> CardReader:
    from drivers.cards.serial_reader import SerialCardReader

    return SerialCardReader(**options)


def _simulated(**options: Any) -> CardReader:
    from drivers.cards.simulated import SimulatedCardReader

    return SimulatedCardReader(**options)


CARD_READERS: Registry[CardReader] = Registry(
    DeviceKind.CARD_READER,
    {"pcsc": _pcsc, "keyboard-wedge": _keyboard_wedge, "serial": _serial, "simulated": _simulated},
)
