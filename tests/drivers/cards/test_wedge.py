"""Keyboard-wedge reader: bursts of digits + Enter by timing, fed like the UI would."""

from __future__ import annotations

import pytest

from common.events import EventBus
from drivers.base import DeviceState
from drivers.cards.events import CardPresented, CardReadFailed
from drivers.cards.wedge import KeyboardWedgeReader
from tests.drivers.cards.recorder import Recorder

pytestmark = pytest.mark.in_process


def feed(reader: KeyboardWedgeReader, keys: list[str], start: float, gap: float) -> list[bool]:
    return [reader.feed_key(key, start + i * gap) for i, key in enumerate(keys)]


@pytest.fixture
def wedge(bus: EventBus) -> KeyboardWedgeReader:
    reader = KeyboardWedgeReader(bus, max_key_gap=0.03)
    reader.start()
    return reader


def test_fast_burst_is_a_card(wedge: KeyboardWedgeReader, recorder: Recorder) -> None:
    assert wedge.status().state is DeviceState.UNKNOWN
    consumed = feed(wedge, [*"3283263748", "\r"], start=100.0, gap=0.008)
    assert consumed == [False] * 10 + [True]
    (event,) = recorder.of(CardPresented)
    assert event.uid_hex == "04A1B2C3"
    assert wedge.status().state is DeviceState.ONLINE


def test_person_typing_the_same_digits_is_not_a_card(
    wedge: KeyboardWedgeReader, recorder: Recorder
) -> None:
    assert feed(wedge, [*"3283263748", "\n"], start=100.0, gap=0.15) == [False] * 11
    assert recorder.of(CardPresented) == []


def test_slow_enter_after_fast_digits_is_not_a_card(
    wedge: KeyboardWedgeReader, recorder: Recorder
) -> None:
    feed(wedge, [*"3283263748"], start=100.0, gap=0.005)
    assert wedge.feed_key("enter", 100.5) is False
    assert recorder.of(CardPresented) == []


def test_typing_then_a_card_burst(wedge: KeyboardWedgeReader, recorder: Recorder) -> None:
    feed(wedge, [*"12345"], start=10.0, gap=0.2)  # a person, then a pause
    feed(wedge, [*"0000000001", "\r"], start=12.0, gap=0.01)
    assert [e.uid_hex for e in recorder.of(CardPresented)] == ["01000000"]


def test_letters_break_a_burst(wedge: KeyboardWedgeReader, recorder: Recorder) -> None:
    feed(wedge, [*"32832a63748", "\r"], start=1.0, gap=0.005)
    feed(wedge, [*"123456789", "\r"], start=2.0, gap=0.005)  # 9 digits: too short
    feed(wedge, [*"1" * 18, "\r"], start=3.0, gap=0.005)  # 18 digits: too long
    assert recorder.of(CardPresented) == []


def test_decimal_too_large_for_a_uid_is_reported(
    wedge: KeyboardWedgeReader, recorder: Recorder
) -> None:
    assert feed(wedge, [*"9" * 17, "\r"], start=1.0, gap=0.005)[-1] is True
    assert "too large" in recorder.of(CardReadFailed)[0].reason


def test_stopped_reader_ignores_keys(wedge: KeyboardWedgeReader, recorder: Recorder) -> None:
    wedge.stop()
    feed(wedge, [*"3283263748", "\r"], start=1.0, gap=0.005)
    assert recorder.of(CardPresented) == []
