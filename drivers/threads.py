"""Thread helpers every driver uses, so no device thread can die silently or block forever.

``ServiceThread`` runs a driver's loop on a named daemon thread and restarts it after a crash
(reporting the crash first); ``CallWorker`` runs a library call that has no timeout of its own
(``SCardTransmit``, a USB write) on a helper thread so the caller can give up waiting.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

from drivers.base import DeviceTimeout

log = logging.getLogger(__name__)

T = TypeVar("T")
_JobQueue = queue.Queue[tuple[Callable[[], Any], Future[Any]] | None]


class ServiceThread:
    """A named daemon thread running ``body(stopping)`` until ``stop()``.

    ``body`` should return when ``stopping`` is set. If it raises, ``on_crash`` turns the error
    into a device status and the body is started again after ``restart_delay``: a driver loop
    with a bug degrades to "error, retrying" instead of a thread that quietly stopped.
    """

    def __init__(
        self,
        name: str,
        body: Callable[[threading.Event], None],
        on_crash: Callable[[BaseException], None],
        restart_delay: float = 1.0,
    ) -> None:
        self.name = name
        self._body = body
        self._on_crash = on_crash
        self._restart_delay = restart_delay
        self.stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.alive:
            return
        self.stopping.clear()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 3.0) -> bool:
        """Ask the loop to end and wait up to ``timeout`` s; False if it is still running."""
        self.stopping.set()
        thread = self._thread
        if thread is None or thread is threading.current_thread():
            return True
        thread.join(timeout)
        if thread.is_alive():
            log.error("thread %s did not stop within %.1f s", self.name, timeout)
            return False
        self._thread = None
        return True

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                self._body(self.stopping)
            except Exception as exc:
                log.exception("thread %s crashed; restarting", self.name)
                try:
                    self._on_crash(exc)
                except Exception:
                    log.exception("crash handler of %s failed", self.name)
                self.stopping.wait(self._restart_delay)
            else:
                return


class CallWorker:
    """One daemon thread that runs blocking calls so the caller can wait with a timeout.

    A call that never returns wedges only this worker: the caller gets ``DeviceTimeout`` and
    later calls fail fast with ``DeviceTimeout`` until the stuck call comes back. One long-lived
    thread (not one per call) keeps the thread count flat however many calls are made.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._jobs: _JobQueue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._pending: Future[Any] | None = None
        self._lock = threading.Lock()

    def call(self, function: Callable[[], T], timeout: float) -> T:
        with self._lock:
            if self._pending is not None and not self._pending.done():
                raise DeviceTimeout(f"{self.name}: an earlier call has still not returned")
            if self._thread is None or not self._thread.is_alive():
                # A fresh queue per thread: a stop marker left for an old thread stays its own.
                self._jobs = queue.Queue()
                self._thread = threading.Thread(
                    target=self._serve, args=(self._jobs,), name=self.name, daemon=True
                )
                self._thread.start()
            future: Future[T] = Future()
            self._pending = future
            self._jobs.put((function, future))
        try:
            return future.result(timeout)
        except FutureTimeout:
            raise DeviceTimeout(f"{self.name}: no answer within {timeout:.1f} s") from None

    def close(self, timeout: float = 1.0) -> None:
        """Let the worker thread end (at once if idle, else after its stuck call returns)."""
        with self._lock:
            thread, self._thread = self._thread, None
            self._jobs.put(None)
        if thread is not None:
            thread.join(timeout)

    @staticmethod
    def _serve(jobs: _JobQueue) -> None:
        while True:
            job = jobs.get()
            if job is None:
                return
            function, future = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(function())
            except Exception as exc:  # noqa: BLE001 - handed to the caller, who maps it
                future.set_exception(exc)
