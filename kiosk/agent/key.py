"""The kiosk's key for the agent, without ``cryptography``'s serialisation module (importing
it costs the agent a seventh of its CPU budget).

``kiosk.identity`` writes the key as PKCS#8 PEM, which for Ed25519 is always the same 16 bytes
of DER followed by the 32-byte seed (RFC 8410). That form is read here directly; anything else
goes to ``KioskKey.load``, the one proper reader, so an unusual file is still read, or refused
with its message.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

PKCS8_ED25519_PREFIX = bytes.fromhex("302e020100300506032b657004220420")
SEED_BYTES = 32
PEM_BEGIN = "-----BEGIN PRIVATE KEY-----"
PEM_END = "-----END PRIVATE KEY-----"
MAX_KEY_FILE_BYTES = 4096  # a PEM Ed25519 key is 119 bytes


class KeyUnusable(Exception):
    """The key file is missing, unreadable or not the kiosk's Ed25519 key."""


def load_key(path: Path) -> Ed25519PrivateKey:
    try:
        with path.open("rb") as handle:
            text = handle.read(MAX_KEY_FILE_BYTES).decode("ascii")
        body = text.split(PEM_BEGIN, 1)[1].split(PEM_END, 1)[0]
        der = base64.b64decode("".join(body.split()), validate=True)
    except (OSError, UnicodeDecodeError, IndexError, binascii.Error):
        der = b""
    if len(der) == len(PKCS8_ED25519_PREFIX) + SEED_BYTES and der.startswith(PKCS8_ED25519_PREFIX):
        return Ed25519PrivateKey.from_private_bytes(der[len(PKCS8_ED25519_PREFIX) :])
    from kiosk.identity import IdentityError, KioskKey

    try:
        return KioskKey.load(path).private_key
    except IdentityError as err:
        raise KeyUnusable(str(err)) from err
