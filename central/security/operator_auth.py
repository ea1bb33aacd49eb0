"""Who is calling, part three: an operator, by the bearer token of a console sign-in or an
API key. Kiosk keys never qualify."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header
from sqlalchemy.orm import Session

from central.context import CentralContext, get_context, get_db
from central.errors import unauthorized
from central.models import OperatorCredential
from central.security.security import token_hash


@dataclass(frozen=True)
class OperatorIdentity:
    operator_id: int


def authenticated_operator(
    ctx: Annotated[CentralContext, Depends(get_context)],
    db: Annotated[Session, Depends(get_db)],
    authorization: Annotated[str | None, Header()] = None,
    api_key: Annotated[str | None, Header(alias="X-Api-Key")] = None,
) -> OperatorIdentity:
    """An operator's bearer token (from login) or API key; kiosk keys never qualify."""
    secret = api_key
    if secret is None and authorization and authorization.lower().startswith("bearer "):
        secret = authorization[7:].strip()
    credential = db.get(OperatorCredential, token_hash(secret)) if secret else None
    if credential is None or (
        credential.expires_at is not None and credential.expires_at <= ctx.clock.now()
    ):
        raise unauthorized(
            "operator_auth_required",
            "Masuk sebagai operator diperlukan.",
            "Operator sign-in or API key required.",
        )
    return OperatorIdentity(operator_id=credential.operator_id)


OperatorDep = Annotated[OperatorIdentity, Depends(authenticated_operator)]
