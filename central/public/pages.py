"""The public tracking page as server-rendered HTML: small, no script, every byte from the
package, so it opens on a cheap phone on a slow network (docs/public.md).

Pure functions from what the lookup found to an HTML response; the routes decide which.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from central.contract import services as wire
from central.contract.models import LocalizedText
from central.public.text import TEXT, Language, format_when

LOOKUP_PATH = "/lacak"

# No script at all, styles only inline, forms only to this site, never framed, and the code in
# the URL is not handed to other sites as a Referer.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}

_ENV = Environment(
    loader=PackageLoader("central.public", "templates"),
    autoescape=select_autoescape(default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _url(path: str, **params: str | None) -> str:
    query = {name: value for name, value in params.items() if value}
    return f"{path}?{urlencode(query)}" if query else path


def _render(
    template: str,
    language: Language,
    *,
    path: str,
    params: dict[str, str | None],
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **values: object,
) -> HTMLResponse:
    """``path`` and ``params`` are this page's own, so the language switch keeps them."""
    other: Language = "en" if language == "id" else "id"
    html = _ENV.get_template(template).render(
        lang=language,
        other_lang=other,
        t=TEXT[language],
        switch_url=_url(path, **params, lang=other if other == "en" else None),
        form_action=LOOKUP_PATH,
        **values,
    )
    return HTMLResponse(
        html, status_code=status_code, headers={**SECURITY_HEADERS, **(headers or {})}
    )


def lookup_page(language: Language) -> HTMLResponse:
    return _render(
        "lookup.html",
        language,
        path=LOOKUP_PATH,
        params={},
        heading=TEXT[language].lookup_title,
        not_found=False,
        code="",
    )


def not_found_page(language: Language, code: str, path: str, office: str | None) -> HTMLResponse:
    """404 with what to do next; ``code`` goes back into the form (escaped) to be corrected."""
    return _render(
        "lookup.html",
        language,
        path=path,
        params={"kantor": office},
        status_code=404,
        heading=TEXT[language].not_found_title,
        not_found=True,
        code=code,
    )


def item_page(
    language: Language, item: wire.TrackedItem, path: str, office: str | None
) -> HTMLResponse:
    text = TEXT[language]
    ready = item.kind == "letter" and item.status_label.id == _READY_LABEL
    return _render(
        "item.html",
        language,
        path=path,
        params={"kantor": office},
        heading=_localized(item.title, language),
        kind=text.kind_hints[item.kind],
        code=item.tracking_code,
        status=_localized(item.status_label, language),
        updated=format_when(item.updated_at, language),
        ready=ready,
        steps=[
            (_localized(step.label, language), format_when(step.at, language))
            for step in item.steps
        ],
        lookup_url=_url(LOOKUP_PATH, lang="en" if language == "en" else None),
    )


def too_many_page(language: Language, path: str, retry_after_s: int) -> HTMLResponse:
    text = TEXT[language]
    return _render(
        "message.html",
        language,
        path=path,
        params={},
        status_code=429,
        headers={"Retry-After": str(retry_after_s)},
        heading=text.too_many_title,
        body=text.too_many_body.format(seconds=retry_after_s),
    )


_READY_LABEL = wire.LETTER_STATUS_LABELS[wire.LetterStatus.SIAP_DIAMBIL][0]


def _localized(text: LocalizedText, language: Language) -> str:
    return text.en if language == "en" else text.id
