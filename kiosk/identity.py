"""The kiosk's own Ed25519 key: made on the kiosk at enrollment, never leaves it.

Stored as raw PKCS#8 PEM, mode 0600, in a 0700 directory: only the kiosk's service user can
sign as this kiosk. The centre only ever sees the public half.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


class IdentityError(Exception):
    """The key file is missing, unreadable or not an Ed25519 key."""


@dataclass(frozen=True)
class KioskKey:
    private_key: Ed25519PrivateKey

    @classmethod
    def generate(cls) -> KioskKey:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def load(cls, path: Path) -> KioskKey:
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except FileNotFoundError:
            raise IdentityError(f"no kiosk key at {path}: enrol the kiosk first") from None
        except (OSError, ValueError) as err:
            raise IdentityError(f"kiosk key at {path} is unreadable: {err}") from err
        if not isinstance(key, Ed25519PrivateKey):
            raise IdentityError(f"kiosk key at {path} is not an Ed25519 key")
        return cls(key)

    def save(self, path: Path) -> None:
        """Write atomically with 0600 permissions from the first byte."""
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        pem = self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        tmp = path.with_name(f".{path.name}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)

    def public_key_b64(self) -> str:
        raw = self.private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return base64.b64encode(raw).decode("ascii")

    def sign(self, message: bytes) -> bytes:
        return self.private_key.sign(message)
