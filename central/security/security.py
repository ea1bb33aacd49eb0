"""Secrets handling: PIN and password hashing, random tokens, hashes of stored secrets.

PINs have only a million values, so the slow KDF (Argon2id, OWASP's minimum profile:
t=2, m=19 MiB, p=1, ~30 ms here) is what makes a stolen table expensive; the lockout is what
stops guessing online. Tokens are stored only as SHA-256: they are long and random, so a fast
hash is enough and keeps the per-request check cheap.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when the identifier is unknown, so that answer takes as long as a real one.
_DUMMY_HASH = _HASHER.hash("000000")


def hash_secret(secret: str) -> str:
    """Argon2id hash of a PIN or password."""
    return _HASHER.hash(secret)


def verify_secret(stored_hash: str | None, secret: str) -> bool:
    """Constant work whether or not there is a stored hash (no timing oracle for unknown NIKs)."""
    try:
        return _HASHER.verify(stored_hash or _DUMMY_HASH, secret) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def seal_grant(key: bytes, *, resident_id: int, kiosk_id: str, expires_at: int) -> str:
    """A stateless, tamper-evident grant: ``payload.mac``, both base64url."""
    payload = base64.urlsafe_b64encode(
        json.dumps({"r": resident_id, "k": kiosk_id, "e": expires_at}).encode()
    ).decode()
    mac = hmac.new(key, b"grant\0" + payload.encode(), hashlib.sha256).digest()
    return f"{payload}.{base64.urlsafe_b64encode(mac).decode()}"


def open_grant(key: bytes, grant: str) -> tuple[int, str, int] | None:
    """``(resident_id, kiosk_id, expires_at)`` of a grant this server sealed, else None."""
    payload, _, mac = grant.partition(".")
    try:
        expected = hmac.new(key, b"grant\0" + payload.encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(base64.urlsafe_b64decode(mac.encode()), expected):
            return None
        fields = json.loads(base64.urlsafe_b64decode(payload.encode()))
        return int(fields["r"]), str(fields["k"]), int(fields["e"])
    except (ValueError, KeyError, TypeError):
        return None


def keyed_hash(key: bytes, value: str) -> str:
    """HMAC-SHA-256 of an identifier (a NIK, a card UID) under the server's secret."""
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()
