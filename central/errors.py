"""One error shape for every failure: ``{code, message: {id, en}, details}``.

Handlers turn FastAPI's own errors (validation, unknown route, wrong method) into that shape
too, and strip submitted values from validation details so a PIN is never echoed back.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from central.contract.models import ErrorBody, LocalizedText
from central.contract.signing import HEADER_KIOSK
from central.security import audit

log = logging.getLogger(__name__)


class ApiError(Exception):
    """A refusal the client can act on. ``status`` is always 4xx except for genuine outages."""

    def __init__(
        self,
        status: int,
        code: str,
        message_id: str,
        message_en: str,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message_en)
        self.status = status
        self.body = ErrorBody(
            code=code, message=LocalizedText(id=message_id, en=message_en), details=details
        )
        self.headers = headers

    def response(self) -> JSONResponse:
        return JSONResponse(
            self.body.model_dump(mode="json"), status_code=self.status, headers=self.headers
        )


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in {
        400: "Malformed request",
        401: "Missing or invalid credentials or signature",
        403: "Not allowed for this caller",
        404: "Not found",
        409: "Conflicts with the current state",
        422: "Invalid input",
        423: "Locked (too many wrong PINs)",
    }.items()
}

_HTTP_CODES: dict[int, tuple[str, str, str]] = {
    400: ("bad_request", "Permintaan tidak dapat dibaca.", "The request could not be read."),
    404: ("not_found", "Alamat tidak ditemukan.", "No such resource."),
    405: ("method_not_allowed", "Metode tidak diizinkan.", "Method not allowed."),
    413: ("too_large", "Permintaan terlalu besar.", "The request is too large."),
}


_LOGGED = "_central_logged"


def mark_logged(error: BaseException) -> None:
    """The 500 handler logged ``error``: Starlette re-raises it afterwards for the server,
    which would log it a second time (``CentralAPI`` drops it instead)."""
    with suppress(AttributeError):
        setattr(error, _LOGGED, True)


def was_logged(error: BaseException) -> bool:
    return bool(getattr(error, _LOGGED, False))


def _validation_details(exc: RequestValidationError) -> dict[str, Any]:
    return {
        "errors": [
            {"loc": [str(part) for part in err.get("loc", ())], "type": err.get("type", "")}
            for err in exc.errors()
        ]
    }


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        audit.kiosk_refused(exc.body.code, request.url.path, request.headers.get(HEADER_KIOSK))
        return exc.response()

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return ApiError(
            422,
            "invalid_input",
            "Data yang dikirim tidak valid.",
            "The submitted data is not valid.",
            _validation_details(exc),
        ).response()

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, message_id, message_en = _HTTP_CODES.get(
            exc.status_code, ("http_error", "Permintaan ditolak.", "The request was refused.")
        )
        # Starlette's own headers go along: a 405's Allow names the methods that would work.
        headers = dict(exc.headers) if exc.headers else None
        return ApiError(exc.status_code, code, message_id, message_en, headers=headers).response()

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        mark_logged(exc)
        return ApiError(
            500,
            "internal_error",
            "Terjadi kesalahan di server pusat.",
            "The central server failed.",
        ).response()


def unauthorized(code: str, message_id: str, message_en: str, **details: object) -> ApiError:
    """401: who is calling could not be established (kiosk, resident or operator)."""
    return ApiError(401, code, message_id, message_en, dict(details) or None)
