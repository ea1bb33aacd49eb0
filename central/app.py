"""The FastAPI application factory. ``create_app`` takes its collaborators, so tests hand in
a manual clock and a throwaway database."""

from __future__ import annotations

from fastapi import FastAPI

from central import __version__
from central.api import batch, kiosk, operator, services
from central.clock import Clock, SystemClock
from central.context import CentralContext
from central.errors import install_error_handlers
from central.ingest_asgi import CentralAPI
from central.settings import CentralSettings


def build_app() -> FastAPI:
    """Routes and error handlers only: enough to describe the API (openapi.json)."""
    app = CentralAPI(  # FastAPI, with a fast path for the busiest route (heartbeats)
        title="Anjungan central API",
        version=__version__,
        description="Reference central service for Anjungan village kiosks: enrollment, "
        "signed kiosk requests, resident sign-in, service catalog, heartbeats and the fleet.",
    )
    install_error_handlers(app)
    app.include_router(kiosk.router)
    app.include_router(operator.router)
    app.include_router(services.router)
    app.include_router(batch.router)

    @app.get("/healthz", tags=["meta"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def create_app(settings: CentralSettings, clock: Clock | None = None) -> FastAPI:
    """A servable app bound to a database (which must be migrated) and a clock."""
    app = build_app()
    app.state.context = CentralContext.create(settings, clock or SystemClock())
    return app
