"""Entry point for uvicorn worker processes (``kiosk-central serve --workers N``)."""

from __future__ import annotations

from fastapi import FastAPI

from central.app import create_app, freeze_startup_heap
from central.settings import load_central_settings


def create_from_environment() -> FastAPI:
    app = create_app(load_central_settings())
    freeze_startup_heap()
    return app
