"""The session's states and the only transitions allowed between them (docs/DESIGN.md).

``IDLE → IDENTIFYING → VERIFYING_PIN → (CHANGING_PIN →) MENU → SERVICE → REVIEW → SUBMITTING →
PRINTING → DONE → IDLE``, and for a queue number taken from the attract screen ``IDLE →
SUBMITTING → PRINTING → DONE → IDLE`` (nobody signs in for a number), with ``OUT_OF_SERVICE``
reachable from anywhere and left only for ``IDLE`` (or for itself, when the reason changes).
Listing them in one table makes an illegal jump a bug that raises, not a screen that silently
misbehaves.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from central.contract.models import UnavailableReason


class State(enum.StrEnum):
    IDLE = "idle"
    IDENTIFYING = "identifying"
    VERIFYING_PIN = "verifying_pin"
    CHANGING_PIN = "changing_pin"
    MENU = "menu"
    SERVICE = "service"
    REVIEW = "review"
    SUBMITTING = "submitting"
    PRINTING = "printing"
    DONE = "done"
    OUT_OF_SERVICE = "out_of_service"


# IDLE: a session can end from anywhere; OUT_OF_SERVICE: a fault can strike anywhere.
_ANYWHERE_TO = {State.IDLE, State.OUT_OF_SERVICE}

TRANSITIONS: dict[State, set[State]] = {
    State.IDLE: {State.IDENTIFYING, State.VERIFYING_PIN, State.SUBMITTING},  # walk-in queue
    State.IDENTIFYING: {State.VERIFYING_PIN},
    State.VERIFYING_PIN: {State.IDENTIFYING, State.CHANGING_PIN, State.MENU},
    State.CHANGING_PIN: {State.MENU},
    State.MENU: {State.SERVICE},
    State.SERVICE: {State.MENU, State.SERVICE, State.REVIEW, State.SUBMITTING},
    State.REVIEW: {State.SERVICE, State.SUBMITTING, State.MENU},
    State.SUBMITTING: {State.PRINTING, State.REVIEW, State.SERVICE, State.MENU},
    State.PRINTING: {State.DONE},
    State.DONE: {State.MENU},
    State.OUT_OF_SERVICE: set(),
}


class IllegalTransition(RuntimeError):
    """A programming error: the session was asked to jump where the plan has no edge."""


def check_transition(current: State, target: State) -> None:
    if target in _ANYWHERE_TO or target in TRANSITIONS[current]:
        return
    raise IllegalTransition(f"{current} → {target} is not a session transition")


class AppState(enum.StrEnum):
    """CUSS-style kiosk state, shown on screen and sent in the heartbeat."""

    AVAILABLE = "AVAILABLE"
    ACTIVE = "ACTIVE"
    UNAVAILABLE = "UNAVAILABLE"


@dataclass(frozen=True)
class Availability:
    """The kiosk's CUSS state with its reason, replaced as one value so a reader on another
    thread (the health loop) never sees a state from one moment and a reason from another."""

    app_state: AppState
    reason: UnavailableReason | None = None
