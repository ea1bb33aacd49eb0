"""Every (from, to) pair of session states against a table written out here, independently of
``TRANSITIONS``: a new edge in the code or a lost one fails this test."""

from __future__ import annotations

import itertools

import pytest

from kiosk.session.states import IllegalTransition, State, check_transition

pytestmark = pytest.mark.in_process

S = State
ALWAYS = {S.IDLE, S.OUT_OF_SERVICE}  # a session can end, and a fault strike, from anywhere
LEGAL: dict[State, set[State]] = {
    S.IDLE: {S.IDENTIFYING, S.VERIFYING_PIN, S.SUBMITTING} | ALWAYS,  # walk-in queue number
    S.IDENTIFYING: {S.VERIFYING_PIN} | ALWAYS,
    S.VERIFYING_PIN: {S.IDENTIFYING, S.CHANGING_PIN, S.MENU} | ALWAYS,
    S.CHANGING_PIN: {S.MENU} | ALWAYS,
    S.MENU: {S.SERVICE} | ALWAYS,
    S.SERVICE: {S.MENU, S.SERVICE, S.REVIEW, S.SUBMITTING} | ALWAYS,
    S.REVIEW: {S.SERVICE, S.SUBMITTING, S.MENU} | ALWAYS,
    S.SUBMITTING: {S.PRINTING, S.REVIEW, S.SERVICE, S.MENU} | ALWAYS,
    S.PRINTING: {S.DONE} | ALWAYS,
    S.DONE: {S.MENU} | ALWAYS,
    S.OUT_OF_SERVICE: ALWAYS,  # back to IDLE when the cause clears; itself when it changes
}
PAIRS = list(itertools.product(State, State))


def test_the_table_names_every_state() -> None:
    assert set(LEGAL) == set(State)


@pytest.mark.parametrize(("current", "target"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_transition(current: State, target: State) -> None:
    if target in LEGAL[current]:
        check_transition(current, target)
    else:
        with pytest.raises(IllegalTransition):
            check_transition(current, target)
