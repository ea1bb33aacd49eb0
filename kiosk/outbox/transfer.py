"""Moving an undelivered outbox off a failing kiosk: ``kiosk outbox export`` / ``import``.

The outbox is sealed under a key derived from the kiosk's own private key, so its file alone is
useless elsewhere, by design. An export opens the items with that key and seals them again,
together, under a passphrase the technician chooses (scrypt, then AES-256-GCM): the file never
holds personal data in clear. It carries the residents' submissions only (letters, complaints,
bansos applications), never heartbeats.

An import puts each item back into an outbox with its own ``local_ref``, which is the item's
``Idempotency-Key`` at the centre: an item the old kiosk had already delivered is answered from
the centre's record instead of being stored twice, and importing the same file twice queues
nothing new. The centre's idempotency records, and each submission's grant, belong to the kiosk
id, so the file is imported on the kiosk that carries the same id: the replacement PC or disk
re-keyed into it (``kiosk-central token rekey``), never another kiosk.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from central.contract.services import OFFLINE_KINDS
from kiosk.outbox.items import Attachment
from kiosk.outbox.outbox import Outbox
from kiosk.outbox.store import DuplicateLocalRef

FORMAT = "anjungan-outbox-export-v1"
SALT_BYTES = 16
NONCE_BYTES = 12
KEY_BYTES = 32
# scrypt's cost (RFC 7914): about 0.1 s and 32 MB here, once per export or import; a stolen
# file's passphrase is tried at that price per guess.
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
MIN_PASSPHRASE = 12
# An export holds scans: bounded so a wrong file is refused before it is read whole.
MAX_EXPORT_BYTES = 2 * 1024**3
MAX_HEADER_BYTES = 4096


class TransferError(Exception):
    """The file cannot be written or read as an export; the message says why."""


@dataclass(frozen=True)
class Imported:
    added: int
    already: int  # already in this outbox (the file was imported before)


def _key(passphrase: str, salt: bytes) -> bytes:
    if len(passphrase) < MIN_PASSPHRASE:
        raise TransferError(f"the passphrase must be at least {MIN_PASSPHRASE} characters")
    kdf = Scrypt(salt=salt, length=KEY_BYTES, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    return kdf.derive(passphrase.encode("utf-8"))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def export_outbox(outbox: Outbox, kiosk_id: str, target: Path, passphrase: str) -> int:
    """Write every undelivered submission to ``target`` (created, never overwritten, mode
    0600); the number written."""
    items = [
        {
            "local_ref": item.local_ref,
            "kind": item.kind,
            "body": _b64(item.body),
            "headers": dict(item.headers),
            "attachments": [
                {"name": a.name, "content_type": a.content_type, "data": _b64(a.data)}
                for a in item.attachments
            ],
        }
        for item in outbox.items()
        if item.kind in OFFLINE_KINDS
    ]
    salt, nonce = os.urandom(SALT_BYTES), os.urandom(NONCE_BYTES)
    header = json.dumps(
        {"format": FORMAT, "kiosk_id": kiosk_id, "count": len(items), "salt": _b64(salt)}
    ).encode()
    sealed = AESGCM(_key(passphrase, salt)).encrypt(
        nonce, json.dumps({"items": items}).encode(), header
    )
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise TransferError(f"{target} exists: choose a new file name") from None
    with os.fdopen(fd, "wb") as out:
        out.write(header + b"\n" + nonce + sealed)
        out.flush()
        os.fsync(out.fileno())
    return len(items)


def read_header(source: Path) -> tuple[dict[str, Any], bytes, bytes]:
    """(header, its bytes, the sealed rest) of an export file."""
    try:
        if source.stat().st_size > MAX_EXPORT_BYTES:
            raise TransferError(f"{source} is too large to be an outbox export")
        data = source.read_bytes()
    except OSError as err:
        raise TransferError(f"cannot read {source}: {err.strerror}") from err
    raw_header, newline, _rest = data[:MAX_HEADER_BYTES].partition(b"\n")
    try:
        header = json.loads(raw_header) if newline else None
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise TransferError(f"{source} is not an outbox export")
    return header, raw_header, data[len(raw_header) + 1 :]


def import_outbox(outbox: Outbox, kiosk_id: str, source: Path, passphrase: str) -> Imported:
    """Queue the export's items in ``outbox`` (this kiosk's, id ``kiosk_id``)."""
    header, raw_header, sealed = read_header(source)
    if header.get("kiosk_id") != kiosk_id:
        raise TransferError(
            f"this export holds kiosk {header.get('kiosk_id')}'s submissions and this is kiosk "
            f"{kiosk_id}: import it on the PC re-keyed as {header.get('kiosk_id')} (kiosk-central "
            "token rekey), whose submissions they are"
        )
    try:
        salt = base64.b64decode(str(header["salt"]), validate=True)
        plain = AESGCM(_key(passphrase, salt)).decrypt(
            sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], raw_header
        )
        items = json.loads(plain)["items"]
    except (InvalidTag, KeyError, ValueError, TypeError):
        raise TransferError(
            f"{source} does not open: wrong passphrase, or a damaged file"
        ) from None
    added = already = 0
    for item in items:
        attachments = [
            Attachment(a["name"], a["content_type"], base64.b64decode(a["data"]))
            for a in item["attachments"]
        ]
        try:
            outbox.enqueue(
                item["kind"],
                json.loads(base64.b64decode(item["body"])),
                local_ref=item["local_ref"],
                headers=item["headers"],
                attachments=attachments,
            )
        except DuplicateLocalRef:
            already += 1
            continue
        added += 1
    return Imported(added, already)
