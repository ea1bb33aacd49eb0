"""Encryption at rest for the outbox: AES-256-GCM under a key derived from the kiosk's own
Ed25519 private key.

The outbox is the one place personal data touches the disk (DESIGN.md), so every payload and
attachment is sealed. The key is derived (HKDF-SHA256, info ``anjungan-outbox-v1``) rather than
stored, so copying the database alone — a backup, a support dump — yields nothing. Each record
gets a fresh random 96-bit nonce, and its ``local_ref`` and ``kind`` are the associated data:
a sealed blob moved to another row fails to open instead of being sent under the wrong name.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from kiosk.identity import KioskKey

HKDF_INFO = b"anjungan-outbox-v1"
NONCE_BYTES = 12
_KEY_CHECK_PLAINTEXT = b"anjungan outbox key check"
_KEY_CHECK_AD = b"\0key-check"


class OutboxSealError(Exception):
    """A sealed record does not open: tampered, truncated, moved to another row, or sealed
    under a different key."""


def derive_key(kiosk_key: KioskKey) -> bytes:
    raw = kiosk_key.private_key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(raw)


def associated_data(local_ref: str, kind: str, part: str = "payload") -> bytes:
    """NUL-separated so ("ab", "c") and ("a", "bc") can never collide."""
    return f"{local_ref}\0{kind}\0{part}".encode()


class Sealer:
    def __init__(self, kiosk_key: KioskKey) -> None:
        self._aead = AESGCM(derive_key(kiosk_key))

    def seal(self, plaintext: bytes, ad: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, ad)

    def open(self, sealed: bytes, ad: bytes) -> bytes:
        if len(sealed) < NONCE_BYTES + 16:
            raise OutboxSealError("sealed record is truncated")
        try:
            return self._aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], ad)
        except InvalidTag:
            raise OutboxSealError(
                "sealed record does not open: tampered, moved, or sealed under another key"
            ) from None

    def key_check(self) -> bytes:
        """A sealed constant kept in the database, so a wrong key is caught at open time with
        one clear error rather than item by item."""
        return self.seal(_KEY_CHECK_PLAINTEXT, _KEY_CHECK_AD)

    def matches(self, key_check: bytes) -> bool:
        try:
            return self.open(key_check, _KEY_CHECK_AD) == _KEY_CHECK_PLAINTEXT
        except OutboxSealError:
            return False
