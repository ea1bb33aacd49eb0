"""The technician's PIN and card UIDs, kept in the configuration only as salted scrypt hashes.

scrypt (``hashlib``, no new dependency) makes each guess cost memory and time, so a copied
configuration file does not give the PIN away to a quick search; the maintenance screen adds
its own throttle on top. A stored hash reads ``scrypt$n$r$p$salt$digest`` (base64), so the
cost can be raised later without breaking the hashes already written.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SCRYPT_N = 2**14  # ~16 MiB and tens of milliseconds: checked off the UI thread
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
DIGEST_BYTES = 32
MAX_SECRET = 64  # characters: a PIN or a card UID; anything longer is refused unread
PIN_DIGITS = (6, 12)  # a technician PIN's shortest and longest length


class BadSecret(ValueError):
    """Not a usable PIN or UID (the message never repeats it)."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _digest(secret: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        secret.encode(),
        salt=salt,
        n=n,
        r=r,
        p=p,
        maxmem=2 * 128 * n * r + 2**20,
        dklen=DIGEST_BYTES,
    )


def hash_secret(secret: str) -> str:
    if not secret or len(secret) > MAX_SECRET:
        raise BadSecret(f"must be 1 to {MAX_SECRET} characters")
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _digest(secret, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_secret(secret: str, stored: str) -> bool:
    """True when ``secret`` matches ``stored``; a malformed hash matches nothing."""
    if not secret or len(secret) > MAX_SECRET:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest, validate=True)
        actual = _digest(secret, base64.b64decode(salt, validate=True), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


def check_pin(pin: str) -> str:
    """A technician PIN: 6 to 12 digits."""
    shortest, longest = PIN_DIGITS
    if not (pin.isascii() and pin.isdigit() and shortest <= len(pin) <= longest):
        raise BadSecret(f"the technician PIN must be {shortest} to {longest} digits")
    return pin
