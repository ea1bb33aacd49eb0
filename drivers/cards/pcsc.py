"""PC/SC card reader (pyscard's low-level ``smartcard.scard`` API) with its own watch thread.

Why not pyscard's ``CardMonitor``: its process-wide thread dies for good when pcscd restarts
(SCARD_E_NO_SERVICE), silently. Here one named thread waits in ``SCardGetStatusChange`` with
a short timeout; any service or reader failure drops the PC/SC context, reports ``offline``
and retries every ``retry_interval`` seconds, so a pcscd restart or a reader unplug/replug
heals by itself.

The UID is read with ``FF CA 00 00 00`` on a separate ``CallWorker`` thread with its own
context, because ``SCardTransmit`` has no timeout: a card or reader driver that never answers
costs one ``CardReadFailed`` and never blocks the watch loop.
"""

from __future__ import annotations

import fnmatch
import logging
import threading
import time

from smartcard import scard
from smartcard.pcsc.PCSCExceptions import BaseSCardException

from common.card_uid import CardUidError, log_tag, uid_from_bytes
from common.events import EventBus
from drivers.base import DeviceKind, DeviceState, DeviceStatus, DeviceTimeout, StatusReporter
from drivers.cards.atr import card_kind
from drivers.cards.errors import CardReadError, CardRemovedError, ReaderGone
from drivers.cards.events import CardPresented, CardReadFailed, CardRemoved
from drivers.threads import CallWorker, ServiceThread

log = logging.getLogger(__name__)

GET_UID = [0xFF, 0xCA, 0x00, 0x00, 0x00]
_MASK = 0xFFFFFFFF
REMOVAL_GRACE = 1.0  # seconds to let pcscd notice a card that vanished mid-command


def _code(hresult: int) -> int:
    """pyscard hands back the same HRESULT signed or unsigned depending on the call."""
    return hresult & _MASK


_CARD_GONE = {
    _code(scard.SCARD_W_REMOVED_CARD),
    _code(scard.SCARD_E_NO_SMARTCARD),
    _code(scard.SCARD_W_RESET_CARD),
}
_READER_GONE = {
    _code(scard.SCARD_E_NO_SERVICE),
    _code(scard.SCARD_F_COMM_ERROR),  # pcscd went away while we were waiting on it
    _code(scard.SCARD_E_SERVICE_STOPPED),
    _code(scard.SCARD_E_INVALID_HANDLE),
    _code(scard.SCARD_E_UNKNOWN_READER),
    _code(scard.SCARD_E_READER_UNAVAILABLE),
    _code(scard.SCARD_E_NO_READERS_AVAILABLE),
}
_SUCCESS = _code(scard.SCARD_S_SUCCESS)
_TIMEOUT = _code(scard.SCARD_E_TIMEOUT)
_STATUS_WORD_MEANING = {0x6A81: "function not supported by this card"}


def _check(hresult: int, doing: str) -> None:
    """Map a failed PC/SC call to the project's exceptions, keeping pyscard's as the cause."""
    code = _code(hresult)
    if code == _SUCCESS:
        return
    cause = BaseSCardException(hresult=hresult)
    message = f"{doing}: {scard.SCardGetErrorMessage(hresult)} (0x{code:08X})"
    if code in _CARD_GONE:
        raise CardRemovedError(message) from cause
    if code in _READER_GONE:
        raise ReaderGone(message) from cause
    raise CardReadError(message) from cause


def _check_service(hresult: int, doing: str) -> None:
    """Like ``_check`` for calls that only involve pcscd and the reader: any failure means the
    session is broken, so it is always ``ReaderGone`` (and the watch loop reconnects)."""
    try:
        _check(hresult, doing)
    except CardReadError as exc:
        raise ReaderGone(str(exc)) from exc.__cause__


def parse_uid_response(response: bytes) -> str:
    """Canonical UID from the reply to ``FF CA``; error status words become CardReadError."""
    if len(response) < 2:
        raise CardReadError("the card sent no status word")
    status = int.from_bytes(response[-2:], "big")
    if status != 0x9000:
        meaning = _STATUS_WORD_MEANING.get(status, "error")
        raise CardReadError(f"card answered {status:04X} ({meaning}) to GET UID")
    try:
        return uid_from_bytes(response[:-2])
    except CardUidError as err:
        raise CardReadError(str(err)) from err


def pick_reader(readers: list[str], pattern: str) -> str:
    """The first reader whose name matches the glob ``pattern`` (case-insensitive)."""
    wanted = pattern.lower() or "*"
    for name in readers:
        if fnmatch.fnmatchcase(name.lower(), wanted):
            return name
    found = ", ".join(readers) or "none"
    raise ReaderGone(f"no card reader matches {pattern!r} (readers: {found})")


class PcscReader:
    """Card reader on pcscd. ``reader_pattern`` is a glob on the PC/SC reader name."""

    def __init__(
        self,
        bus: EventBus,
        name: str = "card_reader",
        reader_pattern: str = "*",
        poll_timeout: float = 0.2,
        read_timeout: float = 3.0,
        retry_interval: float = 0.5,
    ) -> None:
        self.name = name
        self._bus = bus
        self._pattern = reader_pattern
        self._poll_ms = int(poll_timeout * 1000)
        self._read_timeout = read_timeout
        self._retry_interval = retry_interval
        self._status = StatusReporter(bus, name, DeviceKind.CARD_READER)
        self._reads = CallWorker(f"{name}-pcsc-read")
        self._thread = ServiceThread(f"{name}-pcsc-watch", self._run, self._crashed)
        self._announced = False  # a CardPresented/CardReadFailed awaits its CardRemoved

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._thread.stop(timeout=self._poll_ms / 1000 + self._read_timeout + 1.0)
        self._reads.close()

    def status(self) -> DeviceStatus:
        return self._status.current

    # The watch thread -------------------------------------------------------------------

    def _run(self, stopping: threading.Event) -> None:
        while not stopping.is_set():
            try:
                self._session(stopping)
            except ReaderGone as exc:
                self._status.update(state=DeviceState.OFFLINE, last_error=str(exc))
                stopping.wait(self._retry_interval)

    def _crashed(self, exc: BaseException) -> None:
        self._status.update(state=DeviceState.ERROR, last_error=f"reader thread failed: {exc}")

    def _session(self, stopping: threading.Event) -> None:
        """One PC/SC context on one reader, until it fails or we are stopped."""
        rc, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        _check_service(rc, "connecting to pcscd")
        reader = ""
        try:
            rc, readers = scard.SCardListReaders(context, [])
            if _code(rc) == _code(scard.SCARD_E_NO_READERS_AVAILABLE):
                readers = []
            else:
                _check_service(rc, "listing readers")
            reader = pick_reader(list(readers), self._pattern)
            log.info("%s: using reader %r", self.name, reader)
            self._status.update(state=DeviceState.ONLINE, last_error=None)
            self._watch(context, reader, stopping)
        finally:
            scard.SCardReleaseContext(context)
            self._card_left(reader)  # we can no longer vouch for a card we announced

    def _watch(self, context: int, reader: str, stopping: threading.Event) -> None:
        states: list[tuple[str, int]] = [(reader, scard.SCARD_STATE_UNAWARE)]
        present, events_seen = False, -1
        while not stopping.is_set():
            rc, new_states = scard.SCardGetStatusChange(context, self._poll_ms, states)
            if _code(rc) == _TIMEOUT:
                continue
            _check_service(rc, "watching the reader")
            _, state, atr = new_states[0]
            if state & (scard.SCARD_STATE_UNKNOWN | scard.SCARD_STATE_UNAVAILABLE):
                raise ReaderGone(f"reader {reader!r} went away")
            states = [(reader, state & ~scard.SCARD_STATE_CHANGED)]
            now_present = bool(state & scard.SCARD_STATE_PRESENT)
            # pcsc-lite counts card events in the high word: a swap between two polls shows
            # as "still present" with a new count, and must read as removal + new card.
            count = state >> 16
            if present and (not now_present or count != events_seen):
                self._card_left(reader)
            if now_present and (not present or count != events_seen):
                self._card_arrived(reader, bytes(atr), mute=bool(state & scard.SCARD_STATE_MUTE))
            present, events_seen = now_present, count

    def _card_arrived(self, reader: str, atr: bytes, mute: bool) -> None:
        self._announced = True
        try:
            if mute:
                raise CardReadError("card does not answer (no ATR)")
            try:
                uid = self._reads.call(lambda: self._read_uid(reader), self._read_timeout)
            except _NoAnswer:
                uid = self._reads.call(lambda: self._read_uid(reader), self._read_timeout)
        except CardRemovedError:
            self._announced = False
            log.info("%s: card removed before its UID was read", self.name)
            self._bus.publish(CardRemoved(reader))
            return
        except (CardReadError, DeviceTimeout) as exc:
            log.warning("%s: card read failed: %s", self.name, exc)
            self._status.update(last_error=f"card read failed: {exc}")
            self._bus.publish(CardReadFailed(reader, str(exc)))
            return
        kind = card_kind(atr)
        log.info("%s: card %s (%s) presented", self.name, log_tag(uid), kind.value)
        self._status.update(last_error=None)
        self._bus.publish(CardPresented(reader, uid, atr.hex().upper(), kind))

    def _card_left(self, reader: str) -> None:
        if self._announced:
            self._announced = False
            self._bus.publish(CardRemoved(reader))

    # The read worker --------------------------------------------------------------------

    def _read_uid(self, reader: str) -> str:
        rc, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        _check(rc, "connecting to pcscd")
        try:
            rc, card, protocol = scard.SCardConnect(
                context,
                reader,
                scard.SCARD_SHARE_SHARED,
                scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1,
            )
            _check(rc, "connecting to the card")
            try:
                rc, response = scard.SCardTransmit(card, protocol, GET_UID)
                if _code(rc) in _READER_GONE:
                    _check(rc, "reading the UID")
                if _code(rc) != _SUCCESS or len(response) < 2:
                    self._wait_for_removal(card)
                    raise _NoAnswer(f"no answer to GET UID (0x{_code(rc):08X})")
                return parse_uid_response(bytes(response))
            finally:
                scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)
        finally:
            scard.SCardReleaseContext(context)

    @staticmethod
    def _wait_for_removal(card: int) -> None:
        """Raise ``CardRemovedError`` if the card left; return if it is still there.

        Some reader drivers (vpcd among them) answer a card that left mid-command with an empty
        reply or "transaction failed" instead of 0x80100069; pcscd sees the removal only at its
        next presence poll (~0.4 s for polled readers), so we ask for up to a second.
        """
        deadline = time.monotonic() + REMOVAL_GRACE
        while True:
            rc = scard.SCardStatus(card)[0]
            if _code(rc) in _CARD_GONE or time.monotonic() >= deadline:
                break
            time.sleep(0.05)
        if _code(rc) in _CARD_GONE:
            _check(rc, "reading the UID")


class _NoAnswer(CardReadError):
    """The exchange failed below the card (empty reply, transaction failed) and the card still
    looks present. Worth one retry: pcscd cannot see a card swapped between two of its presence
    polls, so "still present" may already be a different card."""
