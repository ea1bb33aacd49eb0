"""Moved to ``common.i18n.extract`` (the console's Python code is scanned the same way); kept
so old imports work."""

from common.i18n.extract import (
    FORMATTING_MARKERS,
    PLURAL_MARKERS,
    SINGULAR_MARKERS,
    Extraction,
    Message,
    extract,
    extract_source,
)

__all__ = [
    "FORMATTING_MARKERS",
    "PLURAL_MARKERS",
    "SINGULAR_MARKERS",
    "Extraction",
    "Message",
    "extract",
    "extract_source",
]
