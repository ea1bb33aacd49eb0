"""``POST /v1/heartbeats`` answered in front of FastAPI, for the requests that are fine.

Middleware, routing, dependency injection and the validation layers cost more CPU than the
heartbeat's own work. ``CentralAPI`` parses a heartbeat with the same functions the route's
dependencies call (``auth.parse_signature``, ``idempotency.check_key`` and
``request_hash``, the contract's model) and hands it to the same ``ingest.accept``. Anything
it does not take as-is (a missing or malformed header, a body that is not valid JSON or not a
valid heartbeat, a repeated header, another content type) goes to FastAPI untouched, body
included, so every refusal before authentication is FastAPI's own, in its own order.
"""

from __future__ import annotations

import inspect

from fastapi import FastAPI
from pydantic import ValidationError
from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from central.context import CentralContext
from central.contract import models as wire
from central.contract import signing
from central.errors import ApiError, was_logged
from central.heartbeats import ingest
from central.security import audit
from central.security.body_limit import (
    BodyLimit,
    BodyTooLarge,
    ClientGone,
    declared_length,
    has_nul,
    nul_refusal,
    read_body,
    url_has_nul,
)
from central.security.idempotency import check_key, request_hash
from central.security.kiosk_auth import SignedRequest, parse_signature, signed_path
from central.settings import CentralSettings

PATH = "/v1/heartbeats"
_HEADERS = {
    name.lower().encode("latin-1"): name
    for name in (
        signing.HEADER_KIOSK,
        signing.HEADER_TIMESTAMP,
        signing.HEADER_NONCE,
        signing.HEADER_SIGNATURE,
        signing.HEADER_IDEMPOTENCY,
        "Content-Type",
    )
}

_DEFAULTS = CentralSettings()  # for build_app() alone, which has no settings

Parsed = tuple[SignedRequest, wire.Heartbeat, str | None, str]


class CentralAPI(FastAPI):
    """The FastAPI app, behind a bound on every request body (``central.security.body_limit``: 413
    before reading what is declared too large, or as soon as a chunked body passes it), and
    except that a heartbeat it can take as-is skips the middleware stack (error and
    telemetry layers), routing and dependency injection."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        context: CentralContext | None = getattr(self.state, "context", None)
        if url_has_nul(scope):
            await nul_refusal("query")(scope, receive, send)
            return
        body = await _bounded_body(context, scope, receive, send)
        if body is None:  # refused (answered) or the client went away
            return
        parsed = (
            _parse(scope, body)
            if context is not None  # build_app() alone: describes the API, serves nothing
            and scope["path"] == PATH
            and scope["method"] == "POST"
            and not scope.get("root_path")
            else None
        )
        try:
            if context is None or parsed is None:
                await super().__call__(scope, _replaying(body, receive), send)
                return
            try:
                response = await ingest.accept(self.state.heartbeats, *parsed)
            except ApiError as refusal:
                audit.kiosk_refused(refusal.body.code, PATH, parsed[0].kiosk_id)
                response = refusal.response()
            except Exception as error:
                await self._server_error(scope, receive, send, error)
                raise  # as Starlette's error middleware does; dropped below once logged
            await response(scope, receive, send)
        except Exception as error:
            if not was_logged(error):  # logged once by the 500 handler is enough
                raise

    async def _server_error(
        self, scope: Scope, receive: Receive, send: Send, error: Exception
    ) -> None:
        """The app's own 500 handler (the API's error body, logged), as for any route."""
        handler = self.exception_handlers.get(500) or self.exception_handlers.get(Exception)
        if handler is None:
            return
        answer = handler(Request(scope, receive), error)
        response = await answer if inspect.isawaitable(answer) else answer
        if response is not None:
            await response(scope, receive, send)


async def _bounded_body(
    context: CentralContext | None, scope: Scope, receive: Receive, send: Send
) -> bytes | None:
    """The whole body within its route's limit, or None once refused (413 from the declared
    length before reading, or as soon as a chunked body passes the limit; 422 for a JSON
    body with a NUL) or when the client went away."""
    max_document_mb = (context.settings if context else _DEFAULTS).max_document_mb
    limit = BodyLimit.of(scope["path"], max_document_mb)
    declared = declared_length(scope)
    if declared is not None and declared > limit.max_bytes:
        await limit.refusal()(scope, receive, send)  # nothing of the body is read
        return None
    try:
        body = await read_body(receive, limit.max_bytes)
    except BodyTooLarge:
        await limit.refusal()(scope, receive, send)
        return None
    except ClientGone:
        return None
    if not limit.documents and has_nul(body):
        await nul_refusal()(scope, receive, send)
        return None
    return body


def _parse(scope: Scope, body: bytes) -> Parsed | None:
    """The heartbeat exactly as the route's dependencies would see it, or None."""
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope["headers"]:
        name = _HEADERS.get(raw_name.lower())
        if name is not None:
            if name in headers:
                return None
            headers[name] = raw_value.decode("latin-1")
    content_type = headers.get("Content-Type", "").partition(";")[0].strip().lower()
    if content_type != "application/json" or not body:
        return None
    key = headers.get(signing.HEADER_IDEMPOTENCY)
    try:
        signed = parse_signature(
            headers.get(signing.HEADER_KIOSK),
            headers.get(signing.HEADER_TIMESTAMP),
            headers.get(signing.HEADER_NONCE),
            headers.get(signing.HEADER_SIGNATURE),
            method="POST",
            path=signed_path(scope),
            body=body,
        )
        check_key(key)
        beat = wire.Heartbeat.model_validate_json(body)  # pydantic's parser: no dict between
    except (ApiError, ValueError, ValidationError):
        return None
    return signed, beat, key, request_hash("POST", PATH, body)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the already-read body once, then the real channel."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
