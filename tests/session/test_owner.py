"""The session's owner thread: whoever posts, the session runs on one thread, in order."""

from __future__ import annotations

import inspect
import itertools
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from common.events import Event
from kiosk.session import Session, State
from kiosk.session.events import StateChanged
from kiosk.session.machine import WrongThread
from kiosk.session.owner import SessionOwner
from kiosk.session.states import TRANSITIONS, check_transition
from tests.session.fakes import CARD, NIK, PIN, Rig, make_rig

pytestmark = pytest.mark.in_process

PUBLIC = [
    name
    for name, member in inspect.getmembers(Session, inspect.isfunction)
    if not name.startswith("_") and name != "bind_owner"
]


@pytest.fixture
def owned() -> Iterator[tuple[Rig, SessionOwner]]:
    rig = make_rig()
    owner = SessionOwner(rig.session, tick_s=0.05)
    owner.start()
    yield rig, owner
    assert owner.stop()


def test_every_session_method_runs_on_the_owner_thread(
    owned: tuple[Rig, SessionOwner], monkeypatch: pytest.MonkeyPatch
) -> None:
    _rig, owner = owned
    threads: dict[str, set[threading.Thread]] = {}

    def recording(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(self: Session, *args: Any, **kwargs: Any) -> Any:
            threads.setdefault(name, set()).add(threading.current_thread())
            return method(self, *args, **kwargs)

        return wrapper

    for name in PUBLIC:
        monkeypatch.setattr(Session, name, recording(name, getattr(Session, name)))
    intents: list[Callable[[Session], object]] = [
        lambda s: s.refresh_catalog(),
        lambda s: s.set_language("en"),
        lambda s: s.tap_card(CARD),
        lambda s: s.enter_pin(PIN),
        lambda s: s.choose("sktm"),
        lambda s: s.answer("Biaya sekolah anak"),
        lambda s: s.skip(),
        lambda s: s.back(),
        lambda s: s.touch(),
        lambda s: s.cancel(),
        lambda s: s.start_nik_entry(),
        lambda s: s.enter_nik(NIK),
        lambda s: s.cancel(),
        lambda s: s.centre_reachable(True),
        lambda s: s.set_maintenance(True),
        lambda s: s.set_maintenance(False),
    ]
    posters = [
        threading.Thread(target=lambda i=intent: owner.post(i).result(5), name=f"poster-{n}")
        for n, intent in enumerate(intents)
    ]
    for poster in posters:  # one after the other: the intents make a resident's visit
        poster.start()
        poster.join()
    time.sleep(0.2)  # a few ticks too
    assert {"tap_card", "enter_pin", "choose", "tick", "cancel", "set_maintenance"} <= set(threads)
    assert set().union(*threads.values()) == {owner.thread}


def test_a_session_bound_to_its_owner_refuses_other_threads(
    owned: tuple[Rig, SessionOwner],
) -> None:
    rig, owner = owned
    with pytest.raises(WrongThread):
        rig.session.tap_card(CARD)
    assert owner.call(lambda s: s.state) is State.IDLE


def test_post_returns_at_once_while_the_owner_is_busy(owned: tuple[Rig, SessionOwner]) -> None:
    _, owner = owned
    release = threading.Event()
    blocked = owner.post(lambda s: release.wait(5))
    started = time.perf_counter()
    queued = owner.post(lambda s: s.tap_card(CARD))
    assert time.perf_counter() - started < 0.05
    assert not queued.done()
    release.set()
    queued.result(5)
    assert blocked.result() is True


def test_ten_threads_at_once_keep_the_state_machine_legal(
    owned: tuple[Rig, SessionOwner],
) -> None:
    _rig, owner = owned
    moves: list[tuple[State, State]] = []
    owner.observe(StateChanged, lambda e: moves.append((e.previous, e.state)))
    intents: list[Callable[[Session], object]] = [
        lambda s: s.tap_card(CARD),
        lambda s: s.enter_pin(PIN),
        lambda s: s.choose("antrian"),
        lambda s: s.choose("sktm"),
        lambda s: s.submit(),
        lambda s: s.back(),
        lambda s: s.finish(),
        lambda s: s.cancel(),
        lambda s: s.start_nik_entry(),
        lambda s: s.enter_nik(NIK),
    ]
    barrier = threading.Barrier(10)
    failures: list[BaseException] = []

    def poster(n: int) -> None:
        barrier.wait()
        for round_ in range(30):
            try:
                owner.post(intents[(n + round_) % len(intents)]).result(5)
            except Exception as error:  # noqa: BLE001 - collected and asserted empty below
                failures.append(error)

    workers = [threading.Thread(target=poster, args=(n,)) for n in range(10)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    assert failures == []
    assert len(moves) > 10
    for previous, state in moves:
        check_transition(previous, state)  # raises on an illegal move
    for (_, after), (before, _) in itertools.pairwise(moves):
        assert after == before  # every move starts where the last one ended: no interleaving
    assert owner.call(lambda s: s.state) in TRANSITIONS


def test_observers_get_events_through_their_dispatcher(owned: tuple[Rig, SessionOwner]) -> None:
    _, owner = owned
    handed: list[Callable[[], None]] = []
    seen: list[Event] = []
    owner.observe(StateChanged, seen.append, dispatch=handed.append)  # e.g. a UI's queue
    owner.call(lambda s: s.tap_card(CARD))
    assert seen == []  # nothing ran on the owner: the dispatcher decides when
    for run in handed:
        run()
    assert [e.state for e in seen if isinstance(e, StateChanged)] == [State.VERIFYING_PIN]


def test_a_failing_intent_is_reported_and_the_owner_carries_on(
    owned: tuple[Rig, SessionOwner], caplog: pytest.LogCaptureFixture
) -> None:
    _, owner = owned

    def broken(session: Session) -> None:
        raise ValueError("3510014705900012")  # whatever it says never reaches the log

    with pytest.raises(ValueError):
        owner.post(broken).result(5)
    assert "ValueError" in caplog.text and "3510014705900012" not in caplog.text
    owner.call(lambda s: s.tap_card(CARD))
    assert owner.call(lambda s: s.state) is State.VERIFYING_PIN


def test_ticks_run_on_the_owner_so_idle_sessions_time_out(
    owned: tuple[Rig, SessionOwner],
) -> None:
    rig, owner = owned
    owner.call(lambda s: s.tap_card(CARD))
    rig.clock.now += 3600  # the fake clock: the next tick finds the session long idle
    deadline = time.monotonic() + 5
    while owner.call(lambda s: s.state) is not State.IDLE and time.monotonic() < deadline:
        time.sleep(0.02)
    assert owner.call(lambda s: s.state) is State.IDLE
