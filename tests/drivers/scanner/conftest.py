from __future__ import annotations

import pytest

from common.events import EventBus
from tests.drivers.cards.recorder import Recorder


@pytest.fixture
def bus() -> EventBus:
    return EventBus()


@pytest.fixture
def recorder(bus: EventBus) -> Recorder:
    return Recorder(bus)
