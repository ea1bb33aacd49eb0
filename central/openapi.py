"""The API description, committed as openapi.json so client changes are reviewed as diffs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from central.app import build_app

COMMITTED = Path(__file__).resolve().parent.parent / "openapi.json"


def openapi_document() -> dict[str, Any]:
    return build_app().openapi()
