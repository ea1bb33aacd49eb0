"""Who is at the console: sign-in sessions, the idle timeout, roles, CSRF and office scope.

Every console route takes its operator from ``console_operator(area)``, and that one
dependency does, in order: read a POST's form (bounded; url-encoded, or multipart for a
file), find the session from its cookie (else back to the sign-in page), end it if it has
been idle longer than ``console_idle_timeout_s`` or lived longer than
``operator_token_ttl_s``, refuse a role the area is not open to (403), and refuse a POST
whose CSRF token is not this session's (403).
What is left to a route is to put its queries through the operator's ``OfficeScope``, which
is how "a village operator sees only their office" is kept.

The session cookie holds a random token; the database keeps only its hash. The CSRF token
is derived from it (HMAC with the server secret), so nothing more is stored and it changes
with every sign-in. Cookies are HttpOnly, SameSite=Strict, Secure when served over https,
and scoped to ``/console``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, quote

from fastapi import Request, Response
from sqlalchemy import ColumnElement, true
from sqlalchemy.orm import InstrumentedAttribute, Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from central.console.audit import audit_operator_action
from central.console.i18n import LANGUAGE_COOKIE, language_of
from central.console.multipart import BadMultipart, parse_multipart
from central.context import CentralContext
from central.db import transaction
from central.models import ConsoleSession, Operator
from central.security.roles import Area, Role, may_open
from central.security.security import new_token, token_hash
from common.i18n.translator import N_, Language

SESSION_COOKIE = "anjungan_console"
LOGIN_COOKIE = "anjungan_console_login"
COOKIE_PATH = "/console"
LOGIN_PATH = "/console/login"
HOME_PATH = "/console/"
MAX_FORM_FIELDS = 64
FORM_TYPE = "application/x-www-form-urlencoded"
MULTIPART_TYPE = "multipart/form-data"
AREA_ATTRIBUTE = "console_area"
"""Set on each ``console_operator`` dependency: the route test finds every route's area by it."""


class ConsoleRedirect(Exception):
    """Answered with 303 See Other to ``location`` (not signed in, signed out, expired)."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


class ConsoleRefusal(Exception):
    """Answered with an error page: ``message`` is a console catalog msgid."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


NOT_FOUND = N_("There is nothing here, or it is not yours to see.")
NOT_YOUR_ROLE = N_("This page is not open to your role.")
CSRF_REFUSED = N_(
    "This form has expired or did not come from this console. Reload the page and try again."
)
BAD_FORM = N_("The form could not be read. Reload the page and try again.")


def not_found() -> ConsoleRefusal:
    """The one answer for a record outside the operator's scope and for one that does not
    exist, so a village operator cannot tell another office's ids from made-up ones."""
    return ConsoleRefusal(404, NOT_FOUND)


@dataclass(frozen=True)
class OfficeScope:
    """Which offices' records an operator may see: one, or (``office_id`` None) all."""

    office_id: str | None

    def where(self, column: InstrumentedAttribute[str] | ColumnElement[str]) -> ColumnElement[bool]:
        """A filter for a query on ``column`` (an office id): true for district-wide roles."""
        return true() if self.office_id is None else column == self.office_id

    def allows(self, office_id: str | None) -> bool:
        return self.office_id is None or office_id == self.office_id

    def require(self, office_id: str | None) -> None:
        """For a record already read (by id): refuse it, as if it did not exist, when it
        belongs to another office."""
        if not self.allows(office_id):
            raise not_found()


@dataclass(frozen=True)
class ConsoleOperator:
    """The signed-in operator of one request, with what a route needs to act for them."""

    operator_id: int
    username: str
    role: Role
    scope: OfficeScope
    csrf: str
    now: datetime
    language: Language
    form: FormData = field(default_factory=FormData)

    def may_open(self, area: Area) -> bool:
        return may_open(self.role, area)


def csrf_token(ctx: CentralContext, secret: str, purpose: str = "session") -> str:
    message = f"console-csrf:{purpose}:{secret}".encode()
    return hmac.new(ctx.identifier_key, message, hashlib.sha256).hexdigest()


def csrf_matches(expected: str, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())


async def read_form(request: Request) -> FormData:
    """A url-encoded form, or a multipart one (a file input: ``central.console.multipart``,
    read in memory); its size is bounded before this by the app's body limit."""
    body = await request.body()
    if not body:
        return FormData()  # no fields at all (so no CSRF token either)
    header = request.headers.get("content-type", "")
    content_type = header.split(";")[0].strip().lower()
    if content_type == MULTIPART_TYPE:
        try:
            return parse_multipart(body, header)
        except BadMultipart:
            raise ConsoleRefusal(400, BAD_FORM) from None
    if content_type != FORM_TYPE:
        raise ConsoleRefusal(415, BAD_FORM)
    try:
        pairs = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            strict_parsing=False,
            max_num_fields=MAX_FORM_FIELDS,
        )
    except (UnicodeDecodeError, ValueError):
        raise ConsoleRefusal(400, BAD_FORM) from None
    fields: list[tuple[str, str | UploadFile]] = list(pairs)
    return FormData(fields)


def login_redirect(request: Request, expired: bool = False) -> ConsoleRedirect:
    """To the sign-in page, coming back here afterwards (GET pages only)."""
    query = "?expired=1" if expired else ""
    if request.method == "GET" and request.url.path != HOME_PATH:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        query += ("&" if query else "?") + "next=" + quote(target, safe="")
    return ConsoleRedirect(LOGIN_PATH + query)


def safe_next(target: str | None) -> str:
    """Only a console path: never another site (``//evil``) or the API."""
    if target and target.startswith("/console/") and not target.startswith("//"):
        return target
    return HOME_PATH


@dataclass(frozen=True)
class _Account:
    id: int
    username: str
    role: Role
    office_id: str | None


@dataclass(frozen=True)
class _Found:
    account: _Account | None
    expired: bool


def _resume(ctx: CentralContext, secret: str) -> _Found:
    """The session's operator, after ending it if it idled or lived too long."""
    now = ctx.clock.now()
    idle = timedelta(seconds=ctx.settings.console_idle_timeout_s)
    life = timedelta(seconds=ctx.settings.operator_token_ttl_s)
    with transaction(ctx.sessions) as db:
        session = db.get(ConsoleSession, token_hash(secret))
        if session is None or session.ended_at is not None:
            return _Found(None, expired=False)
        if now - session.last_seen_at > idle or now - session.created_at > life:
            session.ended_at = now
            actor = _Actor(session.operator_id, now)
            audit_operator_action(db, actor, "session_timeout", None)
            return _Found(None, expired=True)
        session.last_seen_at = now
        operator = db.get(Operator, session.operator_id)
        if operator is None:
            return _Found(None, expired=False)
        role = Role(operator.role)
        office = operator.office_id if role is Role.VILLAGE_OPERATOR else None
        return _Found(_Account(operator.id, operator.username, role, office), expired=False)


@dataclass(frozen=True)
class _Actor:
    operator_id: int
    now: datetime


def console_operator(area: Area) -> Callable[..., Awaitable[ConsoleOperator]]:
    """The dependency every console route uses (see the module docstring)."""

    async def dependency(request: Request) -> ConsoleOperator:
        ctx: CentralContext = request.app.state.context
        form = await read_form(request) if request.method == "POST" else FormData()
        secret = request.cookies.get(SESSION_COOKIE)
        if not secret:
            raise login_redirect(request)
        found = await run_in_threadpool(_resume, ctx, secret)
        account = found.account
        if account is None:
            raise login_redirect(request, expired=found.expired)
        role = account.role
        signed = ConsoleOperator(
            operator_id=account.id,
            username=account.username,
            role=role,
            scope=OfficeScope(account.office_id),
            csrf=csrf_token(ctx, secret),
            now=ctx.clock.now(),
            language=language_of(request.cookies.get(LANGUAGE_COOKIE)),
            form=form,
        )
        if not may_open(role, area):
            raise ConsoleRefusal(403, NOT_YOUR_ROLE)
        if request.method == "POST" and not csrf_matches(signed.csrf, _field(form, "csrf")):
            raise ConsoleRefusal(403, CSRF_REFUSED)
        return signed

    setattr(dependency, AREA_ATTRIBUTE, area)
    return dependency


def _field(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) else None


def start_session(ctx: CentralContext, db: Session, operator: Operator) -> str:
    """A new session for ``operator`` in ``db``'s transaction; its cookie value."""
    secret = new_token()
    now = ctx.clock.now()
    db.add(
        ConsoleSession(
            token_hash=token_hash(secret),
            operator_id=operator.id,
            created_at=now,
            last_seen_at=now,
        )
    )
    return secret


def end_session(ctx: CentralContext, secret: str | None) -> None:
    if not secret:
        return
    with transaction(ctx.sessions) as db:
        session = db.get(ConsoleSession, token_hash(secret))
        if session is not None and session.ended_at is None:
            session.ended_at = ctx.clock.now()


def set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    response.set_cookie(
        name,
        value,
        path=COOKIE_PATH,
        httponly=True,
        secure=request.url.scheme == "https",
        samesite="strict",
    )


def drop_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(
        name,
        path=COOKIE_PATH,
        httponly=True,
        secure=request.url.scheme == "https",
        samesite="strict",
    )
