"""The demo resident `kiosk demo` hands to the touchscreen app: the seeded card the app's
tour and its F5 key tap, and the PIN the tour types.

They travel in the environment of the `kiosk app` process (not its command line, which any
user can read in `ps`), under names outside the ``ANJUNGAN_`` prefix, which configuration
owns. They are demo data from `kiosk-central seed`, never a real resident's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

CARD_ENV = "KIOSK_DEMO_CARD"
PIN_ENV = "KIOSK_DEMO_PIN"


@dataclass(frozen=True)
class Visitor:
    card_uid: str
    pin: str

    def environment(self) -> dict[str, str]:
        return {CARD_ENV: self.card_uid, PIN_ENV: self.pin}


def card_from(env: Mapping[str, str]) -> str | None:
    return env.get(CARD_ENV) or None


def visitor_from(env: Mapping[str, str]) -> Visitor | None:
    card, pin = env.get(CARD_ENV), env.get(PIN_ENV)
    return Visitor(card, pin) if card and pin else None
