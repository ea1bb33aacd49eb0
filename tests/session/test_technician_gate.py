"""The technician PIN's throttle: counted before checked, also under parallel attempts."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from kiosk.config.secrets import hash_secret
from kiosk.technician import FIRST_LOCK_S, MAX_TRIES, TechnicianGate, Verdict

PIN = "739104"
STORED = hash_secret(PIN)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_right_pin_opens_and_a_wrong_one_does_not() -> None:
    gate = TechnicianGate(STORED)
    assert gate.check_pin("000000") is Verdict.WRONG
    assert gate.check_pin(PIN) is Verdict.OPEN
    assert TechnicianGate(None).check_pin(PIN) is Verdict.NOT_SET


def test_three_wrong_pins_lock_even_the_right_one_out_and_the_lock_doubles() -> None:
    clock = FakeClock()
    gate = TechnicianGate(STORED, clock=clock)
    for _ in range(MAX_TRIES):
        assert gate.check_pin("111111") is Verdict.WRONG
    assert gate.check_pin(PIN) is Verdict.LOCKED
    assert gate.locked_for() == FIRST_LOCK_S
    clock.now += FIRST_LOCK_S
    for _ in range(MAX_TRIES):
        assert gate.check_pin("222222") is Verdict.WRONG
    assert gate.locked_for() == 2 * FIRST_LOCK_S
    clock.now += 2 * FIRST_LOCK_S
    assert gate.check_pin(PIN) is Verdict.OPEN


def test_parallel_guesses_get_at_most_three_checks() -> None:
    checked: list[str] = []
    gate = TechnicianGate(STORED)
    start = threading.Barrier(12)

    def guess(n: int) -> Verdict:
        start.wait()
        verdict = gate.check_pin(f"{n:06d}")
        if verdict is Verdict.WRONG:
            checked.append(f"{n:06d}")
        return verdict

    with ThreadPoolExecutor(12) as pool:
        verdicts = list(pool.map(guess, range(12)))
    assert verdicts.count(Verdict.WRONG) == MAX_TRIES
    assert verdicts.count(Verdict.LOCKED) == 12 - MAX_TRIES
    assert gate.check_pin(PIN) is Verdict.LOCKED


def test_a_technician_card_opens_by_its_hash_only() -> None:
    gate = TechnicianGate(None, [hash_secret("04A1B2C3")])
    assert gate.card_opens("04A1B2C3")
    assert not gate.card_opens("04A1B2C4")
