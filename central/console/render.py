"""Pages from the package's Jinja2 templates, in the reader's language, with safe headers.

Autoescaping is on for every template; ``_`` in a template is the reader's translator
(``_("{n} kiosks", n=3)``). Each page carries a strict Content-Security-Policy: the console
loads nothing from anywhere but itself (district networks may be offline, and a script
injected into a page would run with an operator's rights).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined

from central.console.i18n import LANGUAGE_COOKIE, language_of, translator
from central.console.session import ConsoleOperator, ConsoleRedirect, ConsoleRefusal
from central.security.roles import Area, Role
from common.i18n.translator import LANGUAGES, N_
from common.wib import to_wib

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

NAVIGATION: tuple[tuple[Area, str, str], ...] = (
    (Area.HOME, "/console/", N_("Home")),
    (Area.FLEET, "/console/fleet", N_("Fleet")),
    (Area.FLEET, "/console/fleet/alerts", N_("Alerts")),
    (Area.FLEET_MANAGE, "/console/fleet/enroll", N_("Enrol a kiosk")),
    (Area.OFFICE, "/console/letters", N_("Letters")),
    (Area.OFFICE, "/console/complaints", N_("Complaints")),
    (Area.OFFICE, "/console/bansos", N_("Social assistance")),
    (Area.OFFICE, "/console/information", N_("Village information")),
    (Area.OFFICE, "/console/privacy", N_("Personal data")),
    (Area.ADMIN, "/console/audit", N_("Audit log")),
)
"""The menu: (area, path, label). A page module adds its line here; each operator sees the
entries their role may open."""

ROLE_LABELS: dict[Role, str] = {
    Role.DISTRICT_ADMIN: N_("district admin"),
    Role.VILLAGE_OPERATOR: N_("village operator"),
    Role.TECHNICIAN: N_("technician"),
}

_ENVIRONMENT = Environment(
    loader=PackageLoader("central.console", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _wib(moment: datetime | None) -> str:
    """Times as the offices read them: WIB (Banyuwangi), to the minute."""
    return "—" if moment is None else to_wib(moment).strftime("%Y-%m-%d %H:%M WIB")


_ENVIRONMENT.filters["wib"] = _wib


def render(
    request: Request,
    template: str,
    operator: ConsoleOperator | None = None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    language = operator.language if operator else language_of(request.cookies.get(LANGUAGE_COOKIE))
    menu = [
        (path, label)
        for area, path, label in NAVIGATION
        if operator is not None and operator.may_open(area)
    ]
    html = _ENVIRONMENT.get_template(template).render(
        _=translator(language),
        lang=language,
        languages=LANGUAGES,
        operator=operator,
        menu=menu,
        role_labels=ROLE_LABELS,
        here=request.url.path,
        here_with_query=str(request.url.path)
        + (f"?{request.url.query}" if request.url.query else ""),
        **context,
    )
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


async def redirect_handler(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ConsoleRedirect)
    return RedirectResponse(exc.location, status_code=303, headers=SECURITY_HEADERS)


async def refusal_handler(request: Request, exc: Exception) -> Response:
    """An error page in the reader's language: never a traceback, never the record."""
    assert isinstance(exc, ConsoleRefusal)
    return render(request, "error.html", status=exc.status, message=exc.message)
