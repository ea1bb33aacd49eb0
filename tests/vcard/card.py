"""A scriptable virtual e-KTP card speaking the vpcd protocol (vsmartcard's virtual reader).

The card connects to vpcd's TCP port (inserting it) and answers frames: a 2-byte big-endian
length, then the payload. A 1-byte payload is a control code (00 power off, 01 power on,
02 reset, 04 get ATR); only 04 is answered, with the ATR. Anything longer is a command APDU,
answered with a response APDU. Closing the socket removes the card.

What the card answers is set by ``CardProfile``: e-KTP Type A (7-byte UID, the NXP ATR),
Type B (4-byte PUPI, Type-B ATR with card-specific application data), a card that refuses
``FF CA`` with ``6A 81``, or one that holds its reply until the test pulls it out.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from functools import reduce
from operator import xor

GET_UID = bytes.fromhex("FFCA000000")
SW_OK = bytes.fromhex("9000")
SW_FUNCTION_NOT_SUPPORTED = bytes.fromhex("6A81")
SW_INS_NOT_SUPPORTED = bytes.fromhex("6D00")
CONTROL_GET_ATR = 0x04

EKTP_TYPE_A_ATR = bytes.fromhex("3B8B8001654B5450304432654B54504C")


def type_b_atr(application_data: bytes) -> bytes:
    """The e-KTP Type B ATR: fixed bytes around 4 bytes of ATQB application data + TCK."""
    body = bytes.fromhex("8C800150") + application_data + bytes.fromhex("30AAAA017781D7")
    return b"\x3b" + body + bytes([reduce(xor, body)])


@dataclass(frozen=True)
class CardProfile:
    atr: bytes
    uid: bytes
    uid_status: bytes = SW_OK
    hold_uid_reply: bool = False  # wait, without answering, until the card is removed

    @classmethod
    def ektp_type_a(cls, uid: bytes = bytes.fromhex("04A1B2C3D4E5F6")) -> CardProfile:
        return cls(atr=EKTP_TYPE_A_ATR, uid=uid)

    @classmethod
    def ektp_type_b(
        cls, pupi: bytes = bytes.fromhex("1A2B3C4D"), app_data: bytes = bytes.fromhex("00112233")
    ) -> CardProfile:
        return cls(atr=type_b_atr(app_data), uid=pupi)

    def answer(self, apdu: bytes) -> bytes:
        if apdu[:2] != GET_UID[:2]:
            return SW_INS_NOT_SUPPORTED
        if self.uid_status != SW_OK:
            return self.uid_status
        return self.uid + SW_OK


@dataclass
class VirtualCard:
    """One card in one vpcd slot: ``insert()`` connects, ``remove()`` closes the socket."""

    profile: CardProfile
    port: int
    host: str = "127.0.0.1"
    inserted_at: float | None = None  # time.monotonic() when the socket connected
    apdus: list[bytes] = field(default_factory=list)
    apdu_waiting: threading.Event = field(default_factory=threading.Event)
    hung_up: threading.Event = field(default_factory=threading.Event)  # the reader closed us
    _socket: socket.socket | None = None
    _thread: threading.Thread | None = None
    _removed: threading.Event = field(default_factory=threading.Event)

    def insert(self, timeout: float = 5.0) -> None:
        self._removed.clear()
        self._socket = socket.create_connection((self.host, self.port), timeout=timeout)
        self._socket.settimeout(0.1)
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.inserted_at = time.monotonic()
        self._thread = threading.Thread(target=self._serve, name="vcard", daemon=True)
        self._thread.start()

    def remove(self, timeout: float = 5.0) -> None:
        self._removed.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def __enter__(self) -> VirtualCard:
        self.insert()
        return self

    def __exit__(self, *_: object) -> None:
        self.remove()

    def _serve(self) -> None:
        assert self._socket is not None
        sock = self._socket
        try:
            while not self._removed.is_set():
                payload = self._receive(sock)
                if payload is None:
                    return
                if len(payload) == 1:
                    if payload[0] == CONTROL_GET_ATR:
                        self._send(sock, self.profile.atr)
                    continue
                self.apdus.append(payload)
                if self.profile.hold_uid_reply and payload[:2] == GET_UID[:2]:
                    self.apdu_waiting.set()
                    self._removed.wait(30.0)
                    return
                self._send(sock, self.profile.answer(payload))
        except OSError:
            return
        finally:
            sock.close()
            if not self._removed.is_set():
                self.hung_up.set()

    def _receive(self, sock: socket.socket) -> bytes | None:
        """One frame, or None once removed or when vpcd hung up."""
        header = self._read_exactly(sock, 2)
        if header is None:
            return None
        (length,) = struct.unpack(">H", header)
        return self._read_exactly(sock, length)

    def _read_exactly(self, sock: socket.socket, size: int) -> bytes | None:
        data = b""
        while len(data) < size:
            if self._removed.is_set():
                return None
            try:
                chunk = sock.recv(size - len(data))
            except TimeoutError:
                continue
            # vpcd writes control codes that get no reply; with delayed ACKs its next write
            # would wait ~40 ms on Nagle. ACK at once, as a card in the field has no TCP at all.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
            if not chunk:
                return None
            data += chunk
        return data

    @staticmethod
    def _send(sock: socket.socket, payload: bytes) -> None:
        sock.sendall(struct.pack(">H", len(payload)) + payload)
