"""ServiceThread, CallWorker and StatusReporter: the pieces that keep driver threads honest."""

from __future__ import annotations

import threading

import pytest

from common.events import EventBus
from drivers.base import DeviceKind, DeviceState, DeviceTimeout, StatusChanged, StatusReporter
from drivers.threads import CallWorker, ServiceThread

pytestmark = pytest.mark.in_process


def test_service_thread_reports_a_crash_and_restarts() -> None:
    runs: list[int] = []
    crashes: list[BaseException] = []
    second_run = threading.Event()

    def body(stopping: threading.Event) -> None:
        runs.append(1)
        if len(runs) == 1:
            raise RuntimeError("boom")
        second_run.set()
        stopping.wait(10)

    service = ServiceThread("test-service", body, crashes.append, restart_delay=0.01)
    service.start()
    assert second_run.wait(10)
    assert [str(c) for c in crashes] == ["boom"]
    assert any(t.name == "test-service" and t.daemon for t in threading.enumerate())
    assert service.stop() is True
    assert not service.alive


def test_call_worker_times_out_then_fails_fast_then_recovers() -> None:
    worker = CallWorker("test-worker")
    release = threading.Event()
    assert worker.call(lambda: 42, timeout=5) == 42
    with pytest.raises(DeviceTimeout, match="no answer within"):
        worker.call(lambda: release.wait(10), timeout=0.05)
    with pytest.raises(DeviceTimeout, match="still not returned"):
        worker.call(lambda: 1, timeout=5)
    release.set()
    for _ in range(100):  # the stuck call returns; the worker takes new work again
        try:
            assert worker.call(lambda: "back", timeout=5) == "back"
            break
        except DeviceTimeout:
            threading.Event().wait(0.02)
    else:
        pytest.fail("worker never recovered")
    with pytest.raises(ValueError, match="raised in the worker"):
        worker.call(lambda: int("raised in the worker"), timeout=5)
    worker.close()


def test_status_reporter_publishes_only_real_changes() -> None:
    bus = EventBus()
    seen: list[StatusChanged] = []
    bus.subscribe(StatusChanged, seen.append)
    reporter = StatusReporter(bus, "reader", DeviceKind.CARD_READER)
    reporter.update(state=DeviceState.ONLINE)
    reporter.update(state=DeviceState.ONLINE)
    reporter.update(last_error="x")
    assert [(e.device, e.status.state, e.status.last_error) for e in seen] == [
        ("reader", DeviceState.ONLINE, None),
        ("reader", DeviceState.ONLINE, "x"),
    ]
    assert reporter.current == seen[-1].status
