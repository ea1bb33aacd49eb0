"""Routes anyone may call, with no kiosk signature and no sign-in: the tracking page a
receipt's QR opens (HTML, Indonesian first, ``?lang=en``) and its JSON twin. Each request
first takes a token from the caller's address's bucket (``limiter.RateLimiter``)."""

from __future__ import annotations

import math
import re
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from central.context import CentralContext, get_db
from central.contract import services as wire
from central.contract.models import ErrorBody
from central.errors import ERROR_RESPONSES, ApiError
from central.public import pages
from central.public.limiter import RateLimiter
from central.public.text import language_of
from central.services import tracking

Db = Annotated[Session, Depends(get_db)]
_CODE = re.compile(tracking.LOOKUP_PATTERN)
# Office ids are Kemendagri codes (35.10.01.2001); anything else names no office.
OFFICE_PATTERN = r"^[0-9A-Za-z.]{1,32}$"
_OFFICE = re.compile(OFFICE_PATTERN)
_MAX_CODE_TEXT = 64  # the longest code a receipt prints (an outbox reference)

pages_router = APIRouter(include_in_schema=False)
RATE_LIMITED: dict[int | str, dict[str, Any]] = {
    429: {"model": ErrorBody, "description": "Too many requests from this address"}
}
api_router = APIRouter(
    prefix="/v1/public", tags=["public"], responses={**ERROR_RESPONSES, **RATE_LIMITED}
)


def limiter_of(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.public_limiter
    return limiter


def wait_for(request: Request) -> int:
    """0 when the caller may go ahead, else whole seconds to wait (for ``Retry-After``)."""
    address = request.client.host if request.client else "unknown"
    return math.ceil(limiter_of(request).take(address))


def public_caller(request: Request) -> None:
    """For JSON routes: 429 with ``Retry-After`` once the caller's address is over its rate."""
    seconds = wait_for(request)
    if seconds:
        raise ApiError(
            429,
            "rate_limited",
            f"Terlalu banyak permintaan. Coba lagi dalam {seconds} detik.",
            f"Too many requests. Try again in {seconds} seconds.",
            headers={"Retry-After": str(seconds)},
        )


PublicCaller = Annotated[None, Depends(public_caller)]


def _office(value: str | None) -> str | None:
    return value if value is not None and _OFFICE.fullmatch(value) else None


@pages_router.get(pages.LOOKUP_PATH, response_class=HTMLResponse)
def lookup(
    request: Request,
    kode: str | None = None,
    lang: str | None = None,
) -> Response:
    """The form to type a code; a submitted code goes to its own page (a URL to keep)."""
    language = language_of(lang)
    seconds = wait_for(request)
    if seconds:
        return pages.too_many_page(language, pages.LOOKUP_PATH, seconds)
    typed = re.sub(r"[^A-Za-z0-9_-]", "", (kode or "")[:_MAX_CODE_TEXT])
    if typed:
        target = pages.LOOKUP_PATH + "/" + typed
        return RedirectResponse(target + ("?lang=en" if language == "en" else ""), 303)
    return pages.lookup_page(language)


@pages_router.get(pages.LOOKUP_PATH + "/{code}", response_class=HTMLResponse)
def tracking_page(
    request: Request,
    code: str,
    kantor: str | None = None,
    lang: str | None = None,
) -> Response:
    """A receipt's QR lands here: status and dates, nothing personal. A malformed code or
    office is a "not found" page too, never a JSON error. The database session is opened
    only once the caller has passed the rate limit and the code looks like one, so a flood
    of refused requests never takes a pooled connection."""
    language = language_of(lang)
    path = pages.LOOKUP_PATH + "/" + quote(code[:_MAX_CODE_TEXT], safe="")
    seconds = wait_for(request)
    if seconds:
        return pages.too_many_page(language, path, seconds)
    office = _office(kantor)
    if not _CODE.fullmatch(code[: _MAX_CODE_TEXT + 1]):
        return pages.not_found_page(language, code, path, office)
    context: CentralContext = request.app.state.context
    try:
        with context.readers() as db:
            item = tracking.track(db, code, office_id=office)
    except ApiError:
        return pages.not_found_page(language, code, path, office)
    return pages.item_page(language, item, path, office)


@api_router.get("/track/{code}", response_model=wire.TrackedItem)
def track(
    _caller: PublicCaller,
    code: Annotated[str, Path(pattern=tracking.LOOKUP_PATTERN)],
    db: Db,
    office_id: Annotated[str | None, Query(pattern=OFFICE_PATTERN)] = None,
) -> wire.TrackedItem:
    """The tracking page's data for apps: any code a receipt prints; a queue code or an
    offline slip's reference with the office its QR names (``office_id``)."""
    return tracking.track(db, code, office_id=office_id)
