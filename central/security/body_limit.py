"""Every request body is bounded before it is read: a declared ``Content-Length`` over the
route's limit is refused with 413 at once, and a body sent without one (chunked) is refused
as soon as it passes the limit, so no request can make the server hold more than the limit.

A JSON body must not carry a NUL character either (``has_nul``): PostgreSQL refuses it in
text, SQLite keeps it, and a kiosk's outbox retries a refusal it cannot act on forever, so it
is refused (422) in front of every route, the same on both databases.

Limits: ``MAX_JSON_BODY_BYTES`` for the JSON routes, ``MAX_BATCH_BODY_BYTES`` for the outbox's
batch (up to 50 submissions), the settings' ``max_document_mb`` for document uploads.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope

from central.contract.batch import BATCH_PATH
from central.errors import ApiError
from central.services.documents import too_large

# The largest single JSON request: a letter with every answer at its longest (32 × 2,000
# characters of 4-byte UTF-8) is 256 KiB; four times that leaves room and still bounds memory.
MAX_JSON_BODY_BYTES = 1024 * 1024
# Fifty submissions of a usual size (a complaint of 4,000 characters is 16 KiB at most).
MAX_BATCH_BODY_BYTES = 4 * 1024 * 1024
DOCUMENTS_PATH = "/v1/documents"
_BYTES_PER_MB = 1024 * 1024


_NUL_ESCAPE = b"\\u0000"  # JSON can only carry NUL escaped; a raw NUL byte is not JSON


def has_nul(body: bytes) -> bool:
    """Whether a JSON text holds a NUL character: an escape ``\\u0000`` not itself escaped
    (an odd number of backslashes before the ``u``). Cheap when there is none (one search)."""
    at = body.find(_NUL_ESCAPE)
    while at != -1:
        start = at
        while start > 0 and body[start - 1] == 0x5C:  # backslash
            start -= 1
        if (at - start) % 2 == 0:
            return True
        at = body.find(_NUL_ESCAPE, at + 1)
    return False


def url_has_nul(scope: Scope) -> bool:
    """Whether the request's path or query string carries a NUL, raw or percent-encoded
    (``%00``): PostgreSQL refuses it in text parameters, so it must be refused first."""
    query: bytes = scope.get("query_string", b"")
    return "\x00" in scope["path"] or b"%00" in query or b"\x00" in query


def nul_refusal(where: str = "body") -> JSONResponse:
    return ApiError(
        422,
        "invalid_input",
        "Data yang dikirim tidak valid: mengandung karakter NUL.",
        "The submitted data is not valid: it contains a NUL character.",
        {"errors": [{"loc": [where], "type": "nul_character"}]},
    ).response()


class BodyTooLarge(Exception):
    """The body passed its route's limit (declared or while arriving)."""


class ClientGone(Exception):
    """The client disconnected before its body was complete."""


# An office's upload of a wet-signed letter (central/backoffice): a scanned PDF, bounded like
# a kiosk's scans rather than like JSON. Through the API or the back-office page.
SIGNED_LETTER_SUFFIX = "/letter/signed"
SIGNED_LETTER_PREFIXES = ("/v1/operator/letters/", "/console/letters/")
# A project's photo added on the back office's village information page (a phone's photo).
PROJECT_PHOTO_PREFIX = "/console/information/projects/"
PROJECT_PHOTO_SUFFIX = "/photos"
CONSOLE_PREFIX = "/console/"


def is_signed_letter_upload(path: str) -> bool:
    return path.startswith(SIGNED_LETTER_PREFIXES) and path.endswith(SIGNED_LETTER_SUFFIX)


def is_project_photo_upload(path: str) -> bool:
    return path.startswith(PROJECT_PHOTO_PREFIX) and path.endswith(PROJECT_PHOTO_SUFFIX)


_TOO_LARGE_PAGE = """<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>Berkas terlalu besar / File too large</title>
</head><body style="font-family:sans-serif;max-width:40em;margin:3em auto">
<h1>Berkas terlalu besar</h1>
<p role="alert">Berkas yang diunggah lebih besar dari {mb} MB dan tidak diterima. Perkecil
berkasnya (pindai dengan resolusi lebih rendah) lalu coba lagi.</p>
<h2 lang="en">File too large</h2>
<p lang="en">The uploaded file is larger than {mb} MB and was not accepted. Make it smaller
(scan at a lower resolution) and try again.</p>
<p><a href="/console/">Kembali ke konsol / Back to the console</a></p>
</body></html>"""


def too_large_page(max_bytes: int) -> HTMLResponse:
    """The console's 413: a page, both languages (the body was never read, so neither the
    operator's session nor their language is known), no script, nothing loaded."""
    mb = max(1, max_bytes // _BYTES_PER_MB)
    return HTMLResponse(
        _TOO_LARGE_PAGE.format(mb=mb),
        status_code=413,
        headers={
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
            "frame-ancestors 'none'",
            "Cache-Control": "no-store",
        },
    )


@dataclass(frozen=True)
class BodyLimit:
    """The limit of one route and the refusal that goes with it."""

    max_bytes: int
    documents: bool
    page: bool = False  # a console route: the refusal is a page, not the API's JSON

    @classmethod
    def of(cls, path: str, max_document_mb: int) -> BodyLimit:
        page = path.startswith(CONSOLE_PREFIX)
        if path == DOCUMENTS_PATH or is_signed_letter_upload(path) or is_project_photo_upload(path):
            return cls(max_document_mb * _BYTES_PER_MB, documents=True, page=page)
        if path == BATCH_PATH:
            return cls(MAX_BATCH_BODY_BYTES, documents=False)
        return cls(MAX_JSON_BODY_BYTES, documents=False, page=page)

    def refusal(self) -> Response:
        """The 413, with ``Connection: close``: the rest of the body is never read, so the
        connection cannot carry another request (and the server stops receiving it)."""
        if self.page:
            page = too_large_page(self.max_bytes)
            page.headers["Connection"] = "close"
            return page
        refusal = (
            too_large(self.max_bytes)
            if self.documents
            else ApiError(
                413,
                "too_large",
                "Permintaan terlalu besar.",
                "The request is too large.",
                {"max_bytes": self.max_bytes},
            )
        )
        response = refusal.response()
        response.headers["Connection"] = "close"
        return response


def declared_length(scope: Scope) -> int | None:
    """The Content-Length header as a number; None when absent or not a number (the route
    decides what that means; a malformed one never gets past the HTTP server anyway)."""
    for name, value in scope["headers"]:
        if name.lower() == b"content-length":
            return int(value) if value.isdigit() else None
    return None


async def read_body(receive: Receive, max_bytes: int) -> bytes:
    """The whole body, refused (``BodyTooLarge``) as soon as it passes ``max_bytes``."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > max_bytes:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)
