"""Who is asking for village information, and about which office.

The information (APBDes, projects, announcements) is public, as docs/central.md always said:
a kiosk asks with its signature and gets its own office's; anyone else names the office
(``?office_id=35.10.01.2001``) and is rate-limited like the tracking page. A request that
carries a kiosk id header is checked as a kiosk's, so a bad signature is still a 401, never
quietly treated as a stranger's."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session

from central.context import CentralContext, get_context, get_db
from central.contract import signing
from central.errors import ApiError
from central.models import Office
from central.public.routes import OFFICE_PATTERN, public_caller
from central.security.kiosk_auth import SignedRequest, signed_request, verify_kiosk


async def _signed_if_kiosk(request: Request) -> SignedRequest | None:
    """The parsed signature when the caller says it is a kiosk, else None (async: a
    signature covers the body, read from its stream)."""
    headers = request.headers
    if signing.HEADER_KIOSK not in headers:
        return None
    return await signed_request(
        request,
        headers.get(signing.HEADER_KIOSK),
        headers.get(signing.HEADER_TIMESTAMP),
        headers.get(signing.HEADER_NONCE),
        headers.get(signing.HEADER_SIGNATURE),
    )


def information_office(
    request: Request,
    signed: Annotated[SignedRequest | None, Depends(_signed_if_kiosk)],
    ctx: Annotated[CentralContext, Depends(get_context)],
    db: Annotated[Session, Depends(get_db)],
    office_id: Annotated[
        str | None,
        Query(pattern=OFFICE_PATTERN, description="The office; not needed from a kiosk."),
    ] = None,
) -> str:
    if signed is not None:
        return verify_kiosk(ctx, db, signed).office_id
    public_caller(request)
    if office_id is None:
        raise ApiError(
            422,
            "office_required",
            "Sebutkan kantor desa/kelurahan: ?office_id=…",
            "Name the village office: ?office_id=…",
            {"field": "office_id"},
        )
    if db.get(Office, office_id) is None:
        raise ApiError(
            404,
            "office_unknown",
            "Kantor desa/kelurahan tidak dikenal.",
            "No such village office.",
            {"field": "office_id"},
        )
    return office_id


InformationOffice = Annotated[str, Depends(information_office)]


# Project and photo ids are the back office's (``prj-…``, ``pho-…``) or the seed's.
PHOTO_KEY_PATTERN = r"^[0-9A-Za-z._-]{1,32}$"


def information_caller(
    request: Request,
    signed: Annotated[SignedRequest | None, Depends(_signed_if_kiosk)],
    ctx: Annotated[CentralContext, Depends(get_context)],
    db: Annotated[Session, Depends(get_db)],
) -> None:
    """For a route of public information that names its record (a project's photo): a kiosk
    is checked as a kiosk (and not rate-limited: its screen loads several photos at once);
    anyone else is rate-limited per address."""
    if signed is not None:
        verify_kiosk(ctx, db, signed)
        return
    public_caller(request)


InformationCaller = Annotated[None, Depends(information_caller)]
