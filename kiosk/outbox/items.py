"""What the outbox holds and what a delivery attempt answers.

An item is one request the centre has not yet confirmed. Its ``local_ref`` is chosen here, on
the kiosk, before anything is written: it goes on the receipt, it is the ``Idempotency-Key``
and the services' ``local_ref``, and it never changes across retries and restarts, which is
what lets the centre turn "sent twice after a crash" into "stored once".
"""

from __future__ import annotations

import enum
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from central.contract import services
from central.contract.services import OFFLINE_KINDS, OfflineKind

LOCAL_REF_PATTERN = re.compile(services.LOCAL_REF_PATTERN)  # what the centre's LocalRef takes
KIND_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
# A reason is a machine code ("http_503", "offline"), never free text: free text from a
# server or an exception can echo a NIK or a name back, and reasons are stored in clear.
REASON_PATTERN = re.compile(r"^[a-z][a-z0-9_.:-]{0,79}$")

# The submission lanes are the contract's offline kinds (typed, so a name the contract drops
# fails the type check); heartbeats are the kiosk's own lane and never a submission.
KIND_LETTER: Final[OfflineKind] = "letter"
KIND_COMPLAINT: Final[OfflineKind] = "complaint"
KIND_BANSOS_APPLICATION: Final[OfflineKind] = "bansos_application"
KIND_HEARTBEAT: Final = "heartbeat"
DEFAULT_KINDS: tuple[str, ...] = (*OFFLINE_KINDS, KIND_HEARTBEAT)


def new_local_ref() -> str:
    """32 URL-safe characters from 192 random bits: unguessable and never reused."""
    return secrets.token_urlsafe(24)


def check_local_ref(local_ref: str) -> str:
    if not LOCAL_REF_PATTERN.fullmatch(local_ref):
        raise ValueError("local_ref must be 8–64 characters of A–Z, a–z, 0–9, '_' or '-'")
    return local_ref


def check_kind(kind: str) -> str:
    if not KIND_PATTERN.fullmatch(kind):
        raise ValueError(f"outbox kind {kind!r} must be lower_snake_case, 2–32 characters")
    return kind


def safe_reason(reason: str) -> str:
    """The reason if it is a plain code, else a fixed placeholder (never the raw text)."""
    return reason if REASON_PATTERN.fullmatch(reason) else "unspecified"


def encode_payload(payload: Mapping[str, Any]) -> bytes:
    """The exact bytes that will be sent: the centre hashes the body of an idempotent POST,
    so a retry must repeat the first attempt byte for byte."""
    try:
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except (TypeError, ValueError) as err:
        raise ValueError(f"outbox payload is not JSON-serialisable: {err}") from err


def check_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Header names and values as they may go on the wire (no line breaks)."""
    checked = dict(headers)
    for name, value in checked.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise ValueError("outbox headers must map strings to strings")
        if not re.fullmatch(r"[A-Za-z0-9-]{1,64}", name) or any(c in value for c in "\r\n\0"):
            raise ValueError(f"outbox header {name!r} is not a valid HTTP header")
    return checked


@dataclass(frozen=True)
class Attachment:
    """Document bytes that go to the centre before the submission that refers to them."""

    name: str
    content_type: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class OutboxItem:
    """One unconfirmed request, decrypted. ``body`` is what goes on the wire, unchanged."""

    seq: int
    local_ref: str
    kind: str
    body: bytes = field(repr=False)
    headers: Mapping[str, str] = field(repr=False)  # extra request headers, sealed at rest
    attachments: tuple[Attachment, ...] = field(repr=False)
    created_at: float
    attempts: int
    next_attempt_at: float
    last_error: str | None

    @property
    def payload(self) -> dict[str, Any]:
        decoded: dict[str, Any] = json.loads(self.body)
        return decoded


class Outcome(enum.Enum):
    DELIVERED = "delivered"  # the centre has it (2xx, or a refusal meaning "already done")
    RETRY = "retry"  # not now: offline, timeout, 5xx, 429, the centre still busy with it
    REFUSED = "refused"  # never: the centre will not accept this item as it is


@dataclass(frozen=True)
class DeliveryResult:
    """What one ``deliver(item)`` call answers. ``reason`` is a code such as ``http_422`` or
    ``validation_error``: it is stored in clear, so it must not carry the centre's text."""

    outcome: Outcome
    reason: str = ""
    retry_after_s: float | None = None

    @classmethod
    def delivered(cls) -> DeliveryResult:
        return cls(Outcome.DELIVERED)

    @classmethod
    def retry(cls, reason: str, retry_after_s: float | None = None) -> DeliveryResult:
        return cls(Outcome.RETRY, reason, retry_after_s)

    @classmethod
    def refused(cls, reason: str) -> DeliveryResult:
        return cls(Outcome.REFUSED, reason)


@dataclass(frozen=True)
class DeadLetter:
    """An item the centre refused for good: kept (sealed) with the reason, never dropped."""

    local_ref: str
    kind: str
    created_at: float
    dead_at: float
    attempts: int
    reason: str
