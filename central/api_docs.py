"""``/docs``: Swagger UI served from the package, not from a public CDN.

A district office's network is often offline or cut off from the internet, and FastAPI's
default page loads its script and style from a CDN, so it stayed blank there. The assets come
from the ``swagger-ui-py`` package (Swagger UI 5, which reads OpenAPI 3.1). ReDoc, which
would need a CDN too, is not offered.
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

DOCS_PATH = "/docs"
ASSETS_PATH = "/docs/assets"


def _assets_dir() -> Path:
    """The package's ``static`` folder, found without importing it (its code is for other
    web frameworks and needs what we do not)."""
    spec = find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("swagger-ui-py is not installed (pip install .[central])")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


_ASSETS = {
    "js": "swagger-ui-bundle.js",
    "css": "swagger-ui.css",
    "favicon": "favicon-32x32.png",
}


def install_docs(app: FastAPI) -> None:
    """Adds ``/docs`` and its assets; the app must be built with ``docs_url=None``."""
    app.mount(ASSETS_PATH, StaticFiles(directory=_assets_dir()), name="docs-assets")

    @app.get(DOCS_PATH, include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        assets = f"{root}{ASSETS_PATH}"
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - docs",
            swagger_js_url=f"{assets}/{_ASSETS['js']}",
            swagger_css_url=f"{assets}/{_ASSETS['css']}",
            swagger_favicon_url=f"{assets}/{_ASSETS['favicon']}",
        )
