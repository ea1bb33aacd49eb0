"""Who is calling, part one: a signed kiosk (the resident and operator checks build on it in
``resident_auth`` and ``operator_auth``).

Kiosk checks run cheapest first and the nonce is recorded only after the signature verified,
so an attacker without the key cannot burn a kiosk's nonces. Each check is a plain function:
the FastAPI dependencies and the heartbeat fast path (central/heartbeats/ingest.py) call the same
ones.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

import anyio.to_thread
from cryptography.exceptions import InvalidSignature
from fastapi import Depends, Header, Request
from sqlalchemy import Connection, bindparam, delete
from sqlalchemy.orm import Session
from starlette.types import Scope

from central.context import CentralContext, get_context, get_db
from central.contract import signing
from central.errors import ApiError, unauthorized
from central.heartbeats import bulk
from central.heartbeats.bulk import BulkInsert
from central.models import Kiosk, UsedNonce
from central.security.callers import SignedKiosk
from central.security.credentials import KioskCredential, load_credential

_NONCE = re.compile(rf"^[A-Za-z0-9_-]{{{signing.NONCE_MIN_LENGTH},{signing.NONCE_MAX_LENGTH}}}$")
_SIGNATURE_LENGTH = 64


def _malformed() -> ApiError:
    return unauthorized(
        "signature_malformed",
        "Tanda tangan permintaan rusak.",
        "The request signature headers are malformed.",
    )


def replayed() -> ApiError:
    return unauthorized(
        "replayed",
        "Permintaan ini sudah pernah diterima.",
        "This request was already received (replayed nonce).",
    )


@dataclass(frozen=True)
class SignedRequest:
    kiosk_id: str
    timestamp: int
    nonce: str
    signature: bytes
    method: str
    path: str
    body: bytes


def signed_path(scope: Scope) -> str:
    """The path as sent (still percent-encoded) with its query: what the kiosk signed."""
    raw_path: bytes = scope.get("raw_path") or scope["path"].encode("utf-8")
    query: bytes = scope.get("query_string", b"")
    return (raw_path + (b"?" + query if query else b"")).decode("latin-1")


def parse_signature(
    kiosk_id: str | None,
    timestamp: str | None,
    nonce: str | None,
    signature: str | None,
    *,
    method: str,
    path: str,
    body: bytes,
) -> SignedRequest:
    """The signing headers, checked for shape only (no key or database needed yet)."""
    if not (kiosk_id and timestamp and nonce and signature):
        raise unauthorized(
            "signature_missing",
            "Permintaan kios tidak ditandatangani.",
            "The kiosk request is not signed.",
        )
    try:
        moment = int(timestamp)
        raw_signature = base64.b64decode(signature, validate=True)
    except ValueError:
        raise _malformed() from None
    if len(raw_signature) != _SIGNATURE_LENGTH or not _NONCE.fullmatch(nonce):
        raise _malformed()
    return SignedRequest(
        kiosk_id=kiosk_id,
        timestamp=moment,
        nonce=nonce,
        signature=raw_signature,
        method=method,
        path=path,
        body=body,
    )


async def signed_request(
    request: Request,
    kiosk_id: Annotated[str | None, Header(alias=signing.HEADER_KIOSK)] = None,
    timestamp: Annotated[str | None, Header(alias=signing.HEADER_TIMESTAMP)] = None,
    nonce: Annotated[str | None, Header(alias=signing.HEADER_NONCE)] = None,
    signature: Annotated[str | None, Header(alias=signing.HEADER_SIGNATURE)] = None,
) -> SignedRequest:
    """Parse the signing headers and read the raw body (async: the body is a stream)."""
    return parse_signature(
        kiosk_id,
        timestamp,
        nonce,
        signature,
        method=request.method,
        path=signed_path(request.scope),
        body=await request.body(),
    )


SignedDep = Annotated[SignedRequest, Depends(signed_request)]


def authenticated_kiosk(
    signed: SignedDep,
    ctx: Annotated[CentralContext, Depends(get_context)],
    db: Annotated[Session, Depends(get_db)],
) -> SignedKiosk:
    return verify_kiosk(ctx, db, signed)


def check_clock(ctx: CentralContext, signed: SignedRequest) -> None:
    """First and cheapest: a stale or future timestamp, with the kiosk's offset in words."""
    now = ctx.clock.now()
    skew = now.timestamp() - signed.timestamp
    if abs(skew) > ctx.settings.max_clock_skew_s:
        raise unauthorized(
            "clock_skew",
            f"Jam kios salah: setel tanggal dan waktu kios (selisih {-skew:.0f} detik).",
            f"The kiosk clock is wrong: set the kiosk's date and time ({-skew:.0f} s off).",
            server_time=int(now.timestamp()),
        )


def check_signature(signed: SignedRequest, credential: KioskCredential | None) -> SignedKiosk:
    """Enrolled (as far as the key cache knows) and signed by its own key, else a 401. Whether
    the kiosk may act now is asked of the database next (``refused_kiosks``)."""
    if credential is None:
        raise kiosk_unknown()
    message = signing.canonical_message(
        kiosk_id=signed.kiosk_id,
        timestamp=signed.timestamp,
        nonce=signed.nonce,
        method=signed.method,
        path=signed.path,
        body=signed.body,
    )
    try:
        credential.public_key.verify(signed.signature, message)
    except InvalidSignature:
        raise unauthorized(
            "signature_invalid",
            "Tanda tangan permintaan tidak cocok.",
            "The request signature does not match.",
        ) from None
    return SignedKiosk(id=signed.kiosk_id, office_id=credential.office_id)


def credential_for(
    ctx: CentralContext, db: Session | Connection, kiosk_id: str
) -> KioskCredential | None:
    """From the per-process cache, else from the database (and then cached)."""
    credential = ctx.credentials.cached(kiosk_id)
    if credential is None:
        credential = load_credential(db, kiosk_id)
        if credential is not None:
            ctx.credentials.remember(kiosk_id, credential)
    return credential


def _fresh_credential(ctx: CentralContext, kiosk_id: str) -> KioskCredential | None:
    with ctx.engine.connect() as connection:
        return credential_for(ctx, connection, kiosk_id)


async def kiosk_credential(ctx: CentralContext, signed: SignedRequest) -> KioskCredential | None:
    """The first checks of ``verify_kiosk`` for the heartbeat path, which checks the signature
    on the verifier thread (central/heartbeats/verifier.py) and records the nonce in the writer's
    group
    transaction: the clock, then the signer's key (a worker thread only on a cache miss)."""
    check_clock(ctx, signed)
    credential = ctx.credentials.cached(signed.kiosk_id)
    if credential is None:
        credential = await anyio.to_thread.run_sync(_fresh_credential, ctx, signed.kiosk_id)
    return credential


def verify_kiosk(ctx: CentralContext, db: Session, signed: SignedRequest) -> SignedKiosk:
    """Every check on a signed request, cheapest first; records the nonce last."""
    check_clock(ctx, signed)
    kiosk = _check_signature_rekeyed(ctx, db, signed)
    now = ctx.clock.now()
    row = {"kiosk_id": signed.kiosk_id, "nonce": signed.nonce, "seen_at": now}
    connection = db.connection()
    refusal = refused_kiosks(ctx, connection, [kiosk.id]).get(kiosk.id)
    if refusal is not None:
        db.rollback()
        raise refusal
    if not claim_nonces(connection, [row]):
        db.rollback()
        raise replayed()
    if ctx.housekeeping_due("nonces"):
        prune_nonces(ctx, connection, now)
    db.commit()
    return kiosk


def _check_signature_rekeyed(
    ctx: CentralContext, db: Session, signed: SignedRequest
) -> SignedKiosk:
    """``check_signature`` with the cached key; when that fails, once more with the key in the
    database: a kiosk re-keyed through another process signs with a key this process has not
    seen yet (docs/DESIGN.md, re-keying). A wrong signature costs that one read, as a request
    from a kiosk not yet cached does."""
    cached = ctx.credentials.cached(signed.kiosk_id)
    try:
        return check_signature(signed, credential_for(ctx, db, signed.kiosk_id))
    except ApiError:
        if cached is None:
            raise
        ctx.credentials.forget(signed.kiosk_id)
        fresh = credential_for(ctx, db, signed.kiosk_id)
        if fresh is None or fresh.raw_key == cached.raw_key:
            raise
    return check_signature(signed, fresh)


def forget_on_bad_signature(ctx: CentralContext, kiosk_id: str, error: BaseException) -> None:
    """The heartbeat path's part of the rule above: after a wrong signature the kiosk's cached
    key is dropped, so its next heartbeat is checked against the database's (a re-keyed kiosk
    is refused once, then its outbox sends the heartbeat again)."""
    if isinstance(error, ApiError) and error.body.code == "signature_invalid":
        ctx.credentials.forget(kiosk_id)


def key_replaced() -> ApiError:
    return unauthorized(
        "key_replaced",
        "Kunci kios ini sudah diganti (pendaftaran ulang).",
        "This kiosk key has been replaced by a re-enrolment.",
    )


def kiosk_unknown() -> ApiError:
    return unauthorized("kiosk_unknown", "Kios tidak terdaftar.", "This kiosk is not enrolled.")


def kiosk_revoked() -> ApiError:
    """A revoked kiosk's valid signature gets a 403 that says so."""
    return ApiError(
        403, "kiosk_revoked", "Kios ini sudah dicabut aksesnya.", "This kiosk has been revoked."
    )


def _standing(connection: Connection, kiosk_ids: list[str]) -> dict[str, tuple[bool, bytes]]:
    """Kiosk id → (revoked, public key), for those of ``kiosk_ids`` that have a row. The
    statement goes to the driver as text (central/heartbeats/bulk.py says why): compiling an
    expanding ``IN`` through SQLAlchemy for every heartbeat batch was a tenth of the GIL time at
    2,500/s."""
    quote = connection.dialect.identifier_preparer.quote
    table, key, revoked, public = (
        quote(n) for n in (Kiosk.__tablename__, "id", "revoked_at", "public_key")
    )
    standing: dict[str, tuple[bool, bytes]] = {}
    chunk = bulk.MAX_PARAMETERS
    for start in range(0, len(kiosk_ids), chunk):
        part = kiosk_ids[start : start + chunk]
        markers = bulk.placeholders(connection.dialect, len(part))
        sql = f"SELECT {key}, {revoked}, {public} FROM {table} WHERE {key} IN ({markers})"  # noqa: S608
        for kiosk_id, revoked_at, public_key in connection.exec_driver_sql(sql, tuple(part)):
            standing[kiosk_id] = (revoked_at is not None, bytes(public_key))
    return standing


def refused_kiosks(
    ctx: CentralContext, connection: Connection, kiosk_ids: Iterable[str]
) -> dict[str, ApiError]:
    """The kiosks of ``kiosk_ids`` that may not act now, each with its refusal, read from the
    database (one small indexed query per request, or per group commit of heartbeats):

    - revoked: 403. A revocation counts for every request checked after it is committed, in
      every worker process (the key cache never holds it);
    - no row any more (deleted, or a database restored under a running server) while its
      key was still cached: 401 ``kiosk_unknown``, as for a kiosk never enrolled, and the key
      leaves the cache. Without this check such a kiosk would be let in, and its heartbeats
      would fail their whole group commit on the foreign key;
    - re-keyed since this process cached its key (the request was checked against the old
      key): 401 ``key_replaced``, and the old key leaves the cache.
    """
    wanted = sorted(set(kiosk_ids))
    standing = _standing(connection, wanted)
    refusals: dict[str, ApiError] = {}
    for kiosk_id in wanted:
        if kiosk_id not in standing:
            ctx.credentials.forget(kiosk_id)
            refusals[kiosk_id] = kiosk_unknown()
            continue
        revoked, public_key = standing[kiosk_id]
        cached = ctx.credentials.cached(kiosk_id)
        if cached is not None and cached.raw_key != public_key:
            ctx.credentials.forget(kiosk_id)
            refusals[kiosk_id] = key_replaced()
        elif revoked:
            refusals[kiosk_id] = kiosk_revoked()
    return refusals


_CLAIM_NONCES = BulkInsert(
    UsedNonce,
    ("kiosk_id", "nonce", "seen_at"),
    tail="ON CONFLICT DO NOTHING",
    returning=("kiosk_id", "nonce"),
)


def claim_nonces(connection: Connection, rows: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """Records nonces; returns the (kiosk, nonce) pairs that were new. A pair already stored,
    by this or any other process, is left out: that request is a replay. On PostgreSQL a
    concurrent insert of the same pair waits for the other transaction and then counts as
    stored, so exactly one of two identical requests gets through."""
    return {(kiosk_id, nonce) for kiosk_id, nonce in _CLAIM_NONCES.run(connection, rows)}


_PRUNE_NONCES = delete(UsedNonce).where(UsedNonce.seen_at < bindparam("horizon"))


def prune_nonces(ctx: CentralContext, connection: Connection, now: datetime) -> None:
    """Nonces older than twice the skew window can no longer be replayed (their timestamp
    is refused first). Callers run it when ``housekeeping_due("nonces")``."""
    horizon = now - timedelta(seconds=2 * ctx.settings.max_clock_skew_s)
    connection.execute(_PRUNE_NONCES, {"horizon": horizon})


KioskDep = Annotated[SignedKiosk, Depends(authenticated_kiosk)]
