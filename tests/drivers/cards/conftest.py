from __future__ import annotations

from collections.abc import Iterator

import pytest

from drivers.events import EventBus
from tests.drivers.cards.recorder import Recorder
from tests.vcard.stack import PcscStack


@pytest.fixture(scope="session")
def pcsc_stack() -> Iterator[PcscStack]:
    """pcscd + vpcd for the whole session, started here and stopped at teardown."""
    stack = PcscStack()
    stack.start()
    yield stack
    stack.close()


@pytest.fixture
def bus() -> EventBus:
    return EventBus()


@pytest.fixture
def recorder(bus: EventBus) -> Recorder:
    return Recorder(bus)
