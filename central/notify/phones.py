"""Phone numbers at rest: sealed with AES-GCM, opened only to hand one to the gateway.

The key is derived (HKDF-SHA256) from the centre's secret (``secret_key`` in the settings, or
the one made on first start), under a label of its own, so it is never the key of anything
else. Set ``secret_key`` in a root-only settings file: then a copy of the database alone does
not reveal a single number.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from common.phone import normalise_mobile

_LABEL = b"anjungan notification phone v1"
_NONCE_BYTES = 12
_KEY_BYTES = 32


class SealedPhoneUnreadable(Exception):
    """A sealed number does not open with this centre's key (another secret, or tampered)."""


@dataclass(frozen=True)
class PhoneBox:
    _aead: AESGCM

    @classmethod
    def from_secret(cls, secret: bytes) -> PhoneBox:
        key = HKDF(algorithm=hashes.SHA256(), length=_KEY_BYTES, salt=None, info=_LABEL).derive(
            secret
        )
        return cls(AESGCM(key))

    def seal(self, phone: str) -> bytes:
        """Nonce then ciphertext; the number is normalised first (``+628…``)."""
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, normalise_mobile(phone).encode(), _LABEL)

    def open(self, sealed: bytes) -> str:
        try:
            plain = self._aead.decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], _LABEL)
        except InvalidTag:
            raise SealedPhoneUnreadable from None
        return plain.decode()


@lru_cache(maxsize=4)
def box_for(secret: bytes) -> PhoneBox:
    """The box for a centre's secret, derived once per process (a pure function of it)."""
    return PhoneBox.from_secret(secret)
