"""Idempotent POSTs: a retry with the same ``Idempotency-Key`` gets the first answer back.

The first call claims the key (a row with no answer yet) before doing the work, so two
concurrent retries cannot both run it: the second is told the first is still in progress.
Answers are stored sealed with AES-GCM under a key derived from the Idempotency-Key, which
only the client knows; the table holds a hash of it for lookup.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy import Connection, bindparam, delete, select
from sqlalchemy.exc import IntegrityError

from central.context import CentralContext, get_context
from central.contract.signing import HEADER_IDEMPOTENCY
from central.db import transaction
from central.errors import ApiError
from central.heartbeats.bulk import BulkInsert
from central.models import IdempotencyRecord

KEY_PATTERN = r"^[\x21-\x7e]{8,128}$"
_KEY_PATTERN = re.compile(KEY_PATTERN)
_NONCE = b"\x00" * 12  # each derived key seals exactly one answer, so a fixed nonce is safe


def _derive(scope: str, key: str, purpose: str) -> bytes:
    return hashlib.sha256(f"{purpose}\0{scope}\0{key}".encode()).digest()


def check_key(key: str | None) -> None:
    if key is not None and not _KEY_PATTERN.fullmatch(key):
        raise ApiError(
            400,
            "idempotency_key_invalid",
            "Kunci idempotensi harus 8–128 karakter ASCII.",
            "The Idempotency-Key must be 8–128 printable ASCII characters.",
        )


def request_hash(method: str, path: str, body: bytes) -> str:
    """What a retry must repeat exactly to get the first answer back."""
    return hashlib.sha256(method.encode() + b"\0" + path.encode() + b"\0" + body).hexdigest()


@dataclass(frozen=True)
class Claim:
    """One (caller scope, key): the row's lookup hash, and the key its answer is sealed with."""

    lookup: str
    sealer: AESGCM

    @classmethod
    def of(cls, scope: str, key: str) -> Claim:
        return cls(_derive(scope, key, "lookup").hex(), AESGCM(_derive(scope, key, "seal")))

    def seal(self, status: int, body: bytes) -> bytes:
        return self.sealer.encrypt(_NONCE, body, str(status).encode())


_STORE_ANSWERS = BulkInsert(
    IdempotencyRecord,
    ("lookup_hash", "request_hash", "status_code", "sealed_body", "created_at"),
    tail="ON CONFLICT DO NOTHING",
    returning=("lookup_hash",),
)
_STORED = select(
    IdempotencyRecord.lookup_hash,
    IdempotencyRecord.request_hash,
    IdempotencyRecord.status_code,
    IdempotencyRecord.sealed_body,
).where(IdempotencyRecord.lookup_hash.in_(bindparam("lookups", expanding=True)))
_PRUNE = delete(IdempotencyRecord).where(IdempotencyRecord.created_at < bindparam("horizon"))


def store_answers(connection: Connection, rows: list[dict[str, Any]]) -> set[str]:
    """Claims keys with their answers already in (work and answer in one transaction, so
    nobody can see the claim without its answer); returns the lookups that were new. The
    others were claimed before: ``stored_answers`` has what to replay."""
    return {lookup for (lookup,) in _STORE_ANSWERS.run(connection, rows)}


def stored_answers(connection: Connection, lookups: list[str]) -> dict[str, StoredAnswer]:
    rows = connection.execute(_STORED, {"lookups": lookups})
    return {
        row.lookup_hash: StoredAnswer(row.request_hash, row.status_code, row.sealed_body)
        for row in rows
    }


def prune_records(ctx: CentralContext, connection: Connection, now: datetime) -> None:
    """Records past the retry window; callers run it when ``housekeeping_due("idempotency")``."""
    horizon = now - timedelta(seconds=ctx.settings.idempotency_ttl_s)
    connection.execute(_PRUNE, {"horizon": horizon})


@dataclass
class Idempotency:
    """Runs a POST's work at most once per (caller scope, key)."""

    ctx: CentralContext
    key: str | None
    request_hash: str

    def run(
        self,
        scope: str,
        status_code: int,
        work: Callable[[], BaseModel | None],
        *,
        keep_refusals: bool = True,
    ) -> Response:
        """``keep_refusals=False`` for routes anyone may call (enrolment, operator sign-in):
        a refused request leaves no record, so a stranger cannot fill the table."""
        if self.key is None:
            return _respond(status_code, work())
        claim = Claim.of(scope, self.key)
        stored = self._claim(claim.lookup)
        if stored is not None:
            return stored.replay(claim, self.request_hash)
        try:
            response = _respond(status_code, work())
        except ApiError as refusal:
            if keep_refusals:
                self._store(claim, refusal.status, refusal.body.model_dump(mode="json"))
            else:
                self._release(claim.lookup)
            raise
        except BaseException:
            self._release(claim.lookup)
            raise
        self._store(claim, response.status_code, _body_of(response))
        return response

    def _claim(self, lookup: str) -> StoredAnswer | None:
        now = self.ctx.clock.now()
        try:
            with transaction(self.ctx.sessions) as db:
                db.add(
                    IdempotencyRecord(
                        lookup_hash=lookup, request_hash=self.request_hash, created_at=now
                    )
                )
        except IntegrityError:
            with self.ctx.sessions() as db:
                record = db.get(IdempotencyRecord, lookup)
                if record is None:  # expired and pruned between the two statements
                    return self._claim(lookup)
                return StoredAnswer(record.request_hash, record.status_code, record.sealed_body)
        if self.ctx.housekeeping_due("idempotency"):
            with transaction(self.ctx.sessions) as db:
                prune_records(self.ctx, db.connection(), now)
        return None

    def _store(self, claim: Claim, status: int, body: Any) -> None:
        sealed = claim.seal(status, json.dumps(body).encode("utf-8"))
        with transaction(self.ctx.sessions) as db:
            record = db.get(IdempotencyRecord, claim.lookup)
            if record is not None:
                record.status_code = status
                record.sealed_body = sealed

    def _release(self, lookup: str) -> None:
        with transaction(self.ctx.sessions) as db:
            db.execute(delete(IdempotencyRecord).where(IdempotencyRecord.lookup_hash == lookup))


@dataclass(frozen=True)
class StoredAnswer:
    request_hash: str
    status_code: int | None
    sealed_body: bytes | None

    def replay(self, claim: Claim, request_hash: str) -> Response:
        if request_hash != self.request_hash:
            raise ApiError(
                422,
                "idempotency_key_reused",
                "Kunci idempotensi sudah dipakai untuk permintaan lain.",
                "This Idempotency-Key was already used for a different request.",
            )
        if self.status_code is None or self.sealed_body is None:
            raise ApiError(
                409,
                "request_in_progress",
                "Permintaan yang sama sedang diproses. Coba lagi sebentar.",
                "The same request is still being processed. Retry shortly.",
            )
        body = claim.sealer.decrypt(_NONCE, self.sealed_body, str(self.status_code).encode())
        return Response(
            body,
            status_code=self.status_code,
            media_type="application/json",
            headers={"Idempotent-Replayed": "true"},
        )


def _respond(status_code: int, result: BaseModel | None) -> Response:
    if result is None:
        return Response(status_code=status_code)
    return JSONResponse(result.model_dump(mode="json"), status_code=status_code)


def _body_of(response: Response) -> Any:
    return json.loads(bytes(response.body)) if response.body else None


async def idempotency(
    request: Request,
    ctx: Annotated[CentralContext, Depends(get_context)],
    key: Annotated[
        str | None,
        Header(
            alias=HEADER_IDEMPOTENCY,
            description="Client-chosen key (8–128 printable ASCII); a retry with the same "
            "key and body gets the first answer back. Any other value is refused with 400.",
            # Told to clients in the schema; checked by check_key (400), as on the fast path.
            json_schema_extra={"pattern": KEY_PATTERN, "minLength": 8, "maxLength": 128},
        ),
    ] = None,
) -> Idempotency:
    check_key(key)
    digest = request_hash(request.method, request.url.path, await request.body())
    return Idempotency(ctx=ctx, key=key, request_hash=digest)


IdempotencyDep = Annotated[Idempotency, Depends(idempotency)]
