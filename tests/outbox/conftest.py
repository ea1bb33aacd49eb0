"""Shared pieces for the outbox tests: a kiosk key, a hand-moved clock, a scripted deliver,
and the real centre on uvicorn (SQLite) with an enrolled kiosk and a signed-in resident."""

from __future__ import annotations

import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pytest

from central.seeding.seed import DemoIdentity
from central.settings import CentralSettings
from common.events import EventBus
from kiosk.identity import KioskKey
from kiosk.outbox import DeliveryResult, Outbox, OutboxEvent, OutboxItem
from tests.outbox.delivery import sign_in
from tests.support.central_server import CentralServer, EnrolledKiosk, prepare_database

E = TypeVar("E", bound=OutboxEvent)
WAIT_S = 10.0  # generous upper bound for a background thread to act; never a speed claim


def wait_until(predicate: Callable[[], bool], timeout_s: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.005)


class FakeClock:
    """Wall time the test moves by hand (epoch seconds). It counts who reads it, so a test
    can wait for a lane to have looked at the time (and so decided) rather than sleep."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start
        self._reads: Counter[str] = Counter()

    def __call__(self) -> float:
        self._reads[threading.current_thread().name] += 1
        return self.now

    def reads_by(self, thread_name: str) -> int:
        return self._reads[thread_name]

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class ScriptedDeliver:
    """Records every call; answers from a per-local_ref script, else ``default``."""

    default: DeliveryResult = field(default_factory=DeliveryResult.delivered)
    script: dict[str, list[DeliveryResult]] = field(default_factory=dict)
    calls: list[OutboxItem] = field(default_factory=list)
    gate: threading.Event | None = None  # when set, deliveries block until it opens
    entered: threading.Event = field(default_factory=threading.Event)  # a delivery began

    def __call__(self, item: OutboxItem) -> DeliveryResult:
        self.entered.set()
        if self.gate is not None and not self.gate.wait(WAIT_S):
            raise TimeoutError("test gate never opened")
        self.calls.append(item)
        answers = self.script.get(item.local_ref)
        return answers.pop(0) if answers else self.default

    def refs(self) -> list[str]:
        return [item.local_ref for item in self.calls]


@dataclass
class Recorder:
    events: list[OutboxEvent] = field(default_factory=list)

    def of(self, kind: type[E]) -> list[E]:
        return [event for event in self.events if isinstance(event, kind)]


@pytest.fixture
def key() -> KioskKey:
    return KioskKey.generate()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def deliver() -> ScriptedDeliver:
    return ScriptedDeliver()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def bus(recorder: Recorder) -> EventBus:
    bus = EventBus()
    bus.subscribe(OutboxEvent, recorder.events.append)
    return bus


@pytest.fixture
def outbox_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "outbox.sqlite3"


@pytest.fixture
def outbox(
    outbox_path: Path, key: KioskKey, deliver: ScriptedDeliver, bus: EventBus, clock: FakeClock
) -> Iterator[Outbox]:
    box = Outbox(outbox_path, key, deliver, max_backoff_s=60, bus=bus, clock=clock)
    yield box
    assert box.close(timeout_s=WAIT_S)


# ---------------------------------------------------------------- the real centre


@dataclass(frozen=True)
class CentreDatabase:
    url: str
    people: list[DemoIdentity]


@pytest.fixture(scope="session")
def centre_template(tmp_path_factory: pytest.TempPathFactory) -> CentreDatabase:
    url = f"sqlite:///{tmp_path_factory.mktemp('outbox-centre') / 'central.sqlite3'}"
    return CentreDatabase(url, prepare_database(url, residents=5))


@pytest.fixture
def centre_settings(centre_template: CentreDatabase, tmp_path: Path) -> CentralSettings:
    """A fresh copy of the migrated, seeded database."""
    target = tmp_path / "central.sqlite3"
    shutil.copyfile(centre_template.url.removeprefix("sqlite:///"), target)
    return CentralSettings(database_url=f"sqlite:///{target}")


@pytest.fixture
def centre(centre_settings: CentralSettings) -> Iterator[CentralServer]:
    server = CentralServer(centre_settings).start()
    yield server
    server.stop()


@dataclass(frozen=True)
class SignedIn:
    kiosk: EnrolledKiosk
    grant: str


@pytest.fixture
def signed_in(centre: CentralServer, centre_template: CentreDatabase) -> SignedIn:
    """An enrolled kiosk and a resident's submission grant, as after a real sign-in."""
    kiosk = centre.enroll()
    person = centre_template.people[0]
    return SignedIn(kiosk, sign_in(kiosk.session, centre.url, person.nik, person.pin))
