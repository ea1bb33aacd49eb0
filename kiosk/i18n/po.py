"""Moved to ``common.i18n.po`` (the console reads the same format); kept so old imports work."""

from common.i18n.po import (
    CONTEXT_SEPARATOR,
    MO_MAGIC,
    PoCatalog,
    PoEntry,
    PoError,
    compile_mo,
    escape,
    format_po,
    parse_po,
    read_po,
    unescape,
)

__all__ = [
    "CONTEXT_SEPARATOR",
    "MO_MAGIC",
    "PoCatalog",
    "PoEntry",
    "PoError",
    "compile_mo",
    "escape",
    "format_po",
    "parse_po",
    "read_po",
    "unescape",
]
