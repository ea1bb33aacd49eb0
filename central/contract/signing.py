"""The request-signing rule shared by the kiosk's signer and the centre's verifier.

A kiosk signs, with its Ed25519 key, one canonical text built from every part of the request
an attacker could change: kiosk id, timestamp, nonce, method, path with query, and the body's
SHA-256. Both sides build that text here so they can never disagree on it.
"""

from __future__ import annotations

import hashlib

SCHEME = "ANJUNGAN-ED25519-V1"

HEADER_KIOSK = "X-Kiosk-Id"
HEADER_TIMESTAMP = "X-Kiosk-Timestamp"
HEADER_NONCE = "X-Kiosk-Nonce"
HEADER_SIGNATURE = "X-Kiosk-Signature"
HEADER_SESSION = "X-Resident-Session"
HEADER_GRANT = "X-Resident-Grant"
HEADER_IDEMPOTENCY = "Idempotency-Key"

MAX_CLOCK_SKEW_S = 300
NONCE_MIN_LENGTH = 16
NONCE_MAX_LENGTH = 64


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def canonical_message(
    *, kiosk_id: str, timestamp: int, nonce: str, method: str, path: str, body: bytes
) -> bytes:
    """The exact bytes that are signed. ``path`` includes the query string, if any."""
    return "\n".join(
        [SCHEME, kiosk_id, str(timestamp), nonce, method.upper(), path, body_digest(body)]
    ).encode("utf-8")
