"""Drains the notification outbox: claims due messages, hands each to the notifier, records
the outcome. Any number of workers (threads, processes, machines) may run at once: a claim
is atomic, so each message is with one worker at a time (central/notify/queue.py)."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from central.clock import Clock
from central.notify import queue
from central.notify.notifier import Notifier, SendResult
from central.notify.phones import PhoneBox, SealedPhoneUnreadable
from central.settings import CentralSettings

log = logging.getLogger(__name__)

BATCH = 20  # messages claimed at once: a lease is not held long for messages not yet tried
IDLE_WAIT_S = 5.0  # between looks at an empty outbox
LEASE_PER_TIMEOUT = 3  # a claim outlives a few gateway timeouts, then another worker may retry


class NotificationWorker:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        notifier: Notifier,
        box: PhoneBox,
        clock: Clock,
        settings: CentralSettings,
    ) -> None:
        self._sessions = sessions
        self._notifier = notifier
        self._box = box
        self._clock = clock
        self._policy = queue.RetryPolicy(
            settings.notify_max_attempts, settings.notify_retry_base_s, settings.notify_retry_max_s
        )
        self._lease = timedelta(seconds=BATCH * LEASE_PER_TIMEOUT * settings.notify_timeout_s)

    def run_once(self) -> int:
        """Try every message due now; how many were tried."""
        claimed = queue.claim(self._sessions, self._clock.now(), self._lease, BATCH)
        for message in claimed:
            result = self._send(message)
            status = queue.finish(
                self._sessions,
                message,
                result.outcome,
                result.detail,
                self._clock.now(),
                self._policy,
            )
            log.info(
                "notification %s try %d: %s (%s) -> %s",
                message.id,
                message.attempts,
                result.outcome,
                result.detail,
                status or "claim lost",
            )
        return len(claimed)

    def _send(self, message: queue.Claimed) -> SendResult:
        try:
            phone = self._box.open(message.phone_sealed)
        except SealedPhoneUnreadable:
            return SendResult("rejected", "phone number unreadable with this centre's key")
        try:
            return self._notifier.send(phone, message.text, key=message.key)
        except Exception as err:  # noqa: BLE001 - a notifier bug must not stop the queue
            return SendResult("retry", f"notifier error: {type(err).__name__}")

    def serve(self, stop: threading.Event, idle_wait_s: float = IDLE_WAIT_S) -> None:
        """Until ``stop`` is set: drain what is due, then wait a little."""
        while not stop.is_set():
            try:
                tried = self.run_once()
            except Exception as err:  # noqa: BLE001 - the database away for a moment
                log.error("notification worker: %s; trying again shortly", type(err).__name__)
                tried = 0
            if tried == 0:
                stop.wait(idle_wait_s)
