from __future__ import annotations

from collections.abc import Iterator

import pytest

from common.events import EventBus
from tests.drivers.cards.recorder import Recorder
from tests.vcard.stack import PcscStack, ReaderDriver


@pytest.fixture(scope="session", params=list(ReaderDriver), ids=lambda driver: driver.value)
def pcsc_stack(request: pytest.FixtureRequest) -> Iterator[PcscStack]:
    """pcscd with the virtual reader for the whole session, started here and stopped at
    teardown; every test using it runs against both reader drivers (our event-driven one,
    Debian's polled vpcd), so the driver is known to work with event and polled readers."""
    stack = PcscStack(request.param)
    stack.start()
    yield stack
    stack.close()


@pytest.fixture
def bus() -> EventBus:
    return EventBus()


@pytest.fixture
def recorder(bus: EventBus) -> Recorder:
    return Recorder(bus)
