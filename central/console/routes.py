"""The console's own pages: sign-in, sign-out, home, the audit log, the language switch.

``install_console`` puts every console router, the static files and the error pages on the
app; page modules (the fleet, the back office…) add their routers there.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.staticfiles import StaticFiles

from central.console import casework, fleet, information, letters, metrics, privacy
from central.console.audit import audit_operator_action, recent_actions
from central.console.i18n import LANGUAGE_COOKIE, language_of
from central.console.render import SECURITY_HEADERS, redirect_handler, refusal_handler, render
from central.console.session import (
    HOME_PATH,
    LOGIN_COOKIE,
    LOGIN_PATH,
    SESSION_COOKIE,
    ConsoleOperator,
    ConsoleRedirect,
    ConsoleRefusal,
    console_operator,
    csrf_matches,
    csrf_token,
    drop_cookie,
    end_session,
    not_found,
    read_form,
    safe_next,
    set_cookie,
    start_session,
)
from central.context import CentralContext
from central.db import transaction
from central.errors import ApiError
from central.security.operators import authenticate
from central.security.roles import Area
from central.security.security import new_token
from common.i18n.translator import LANGUAGES, N_

router = APIRouter(include_in_schema=False)
Home = Annotated[ConsoleOperator, Depends(console_operator(Area.HOME))]
Admin = Annotated[ConsoleOperator, Depends(console_operator(Area.ADMIN))]

MAX_USERNAME = 64
MAX_PASSWORD = 256
SIGN_IN_FAILED = N_("Wrong username or password.")
SIGN_IN_LOCKED = N_("Too many failed sign-ins. Try again in {seconds} seconds.")
LOGIN_FORM_STALE = N_("The sign-in form had expired. Please try again.")


@router.get("/")
def root() -> RedirectResponse:
    """The centre's address in a browser opens the console."""
    return RedirectResponse(HOME_PATH, status_code=303)


@router.get("/console")
def console_root() -> RedirectResponse:
    return RedirectResponse(HOME_PATH, status_code=303)


def _login_page(
    request: Request, next_path: str, status: int = 200, error: str | None = None, **fields: object
) -> Response:
    ctx: CentralContext = request.app.state.context
    nonce = request.cookies.get(LOGIN_COOKIE) or new_token()
    response = render(
        request,
        "login.html",
        status=status,
        csrf=csrf_token(ctx, nonce, "login"),
        next_path=next_path,
        error=error,
        error_fields=fields,
        expired=request.query_params.get("expired") == "1",
    )
    set_cookie(request, response, LOGIN_COOKIE, nonce)
    return response


@router.get("/console/login")
def login_form(request: Request, next: Annotated[str, Query(max_length=512)] = "") -> Response:
    return _login_page(request, safe_next(next))


@router.post("/console/login")
async def login(request: Request) -> Response:
    """Through the operator throttle (``operators.authenticate``): five wrong passwords lock
    the account, twenty failures lock the address, as for the API's login."""
    ctx: CentralContext = request.app.state.context
    form = await read_form(request)
    next_path = safe_next(_text(form.get("next"), 512))
    nonce = request.cookies.get(LOGIN_COOKIE)
    if not nonce or not csrf_matches(csrf_token(ctx, nonce, "login"), _text(form.get("csrf"))):
        return _login_page(request, next_path, 403, LOGIN_FORM_STALE)
    username = _text(form.get("username"), MAX_USERNAME) or ""
    password = _text(form.get("password"), MAX_PASSWORD) or ""
    source = request.client.host if request.client else "unknown"
    try:
        secret = await run_in_threadpool(_sign_in, ctx, username, password, source)
    except ApiError as err:
        if err.status == 423:
            seconds = (err.body.details or {}).get("retry_after_s", 60)
            return _login_page(request, next_path, 423, SIGN_IN_LOCKED, seconds=seconds)
        return _login_page(request, next_path, 401, SIGN_IN_FAILED)
    response = RedirectResponse(next_path, status_code=303, headers=SECURITY_HEADERS)
    set_cookie(request, response, SESSION_COOKIE, secret)
    drop_cookie(request, response, LOGIN_COOKIE)
    return response


def _sign_in(ctx: CentralContext, username: str, password: str, source: str) -> str:
    with ctx.sessions() as db:
        operator = authenticate(ctx, db, username, password, source)
    with transaction(ctx.sessions) as db:
        secret = start_session(ctx, db, operator)
        audit_operator_action(db, _Now(operator.id, ctx), "sign_in", None)
    return secret


class _Now:
    """An actor for the sign-in itself (no ``ConsoleOperator`` exists yet)."""

    def __init__(self, operator_id: int, ctx: CentralContext) -> None:
        self.operator_id = operator_id
        self.now = ctx.clock.now()


def _text(value: object, limit: int = 128) -> str | None:
    """A form field as text, refused (None) when it is a file or longer than ``limit``."""
    return value if isinstance(value, str) and len(value) <= limit else None


@router.post("/console/logout")
def logout(request: Request, operator: Home) -> Response:
    ctx: CentralContext = request.app.state.context
    end_session(ctx, request.cookies.get(SESSION_COOKIE))
    with transaction(ctx.sessions) as db:
        audit_operator_action(db, operator, "sign_out", None)
    response = RedirectResponse(LOGIN_PATH, status_code=303, headers=SECURITY_HEADERS)
    drop_cookie(request, response, SESSION_COOKIE)
    return response


@router.get("/console/")
def home(request: Request, operator: Home) -> Response:
    return render(request, "home.html", operator)


@router.get("/console/audit")
def audit_log(
    request: Request,
    operator: Admin,
    before: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> Response:
    """Every operator's actions, newest first (district admins only)."""
    ctx: CentralContext = request.app.state.context
    with ctx.sessions() as db:
        rows, more = recent_actions(db, before)
    return render(request, "audit.html", operator, rows=rows, more=more)


@router.get("/console/language/{language}")
def choose_language(
    request: Request, language: str, next: Annotated[str, Query(max_length=512)] = ""
) -> Response:
    """The language switch: a cookie, then back to the page it was pressed on. A GET on
    purpose (a plain link, no form): it changes nothing but how pages read."""
    if language not in LANGUAGES:
        raise not_found()
    response = RedirectResponse(safe_next(next), status_code=303, headers=SECURITY_HEADERS)
    response.set_cookie(
        LANGUAGE_COOKIE,
        language_of(language),
        path="/console",
        max_age=365 * 24 * 3600,
        secure=request.url.scheme == "https",
        samesite="strict",
        httponly=True,
    )
    return response


CONSOLE_ROUTERS: tuple[APIRouter, ...] = (
    router,
    fleet.router,
    letters.router,
    casework.router,
    information.router,
    privacy.router,
)
"""Every console page module's router: a page module adds its own here. The role tests walk
these routes (tests/console/routes.py), so a new page is checked without being listed."""


def install_console(app: FastAPI) -> None:
    for console_router in CONSOLE_ROUTERS:
        app.include_router(console_router)
    app.include_router(metrics.router)  # for Prometheus, not operators: no console session
    app.mount(
        "/console/static",
        StaticFiles(packages=[("central.console", "static")]),
        name="console-static",
    )
    app.add_exception_handler(ConsoleRedirect, redirect_handler)
    app.add_exception_handler(ConsoleRefusal, refusal_handler)
