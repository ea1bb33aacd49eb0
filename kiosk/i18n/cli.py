"""``kiosk i18n check|update``: the catalog test's findings, and a quick way to act on them.

``check`` lists what is missing, stale or mistranslated (exit 1 if anything is).
``update`` appends an empty entry to both catalogs for each new message, so the translator
only fills in ``msgstr``; stale entries are listed, not deleted (a reworded message often
keeps most of its old translation, which is worth copying first).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import kiosk
from kiosk.i18n.check import add_missing, check
from kiosk.i18n.extract import Extraction, extract
from kiosk.i18n.po import PoCatalog, format_po
from kiosk.i18n.translator import (
    LANGUAGES,
    CatalogError,
    Language,
    catalog_path,
    load_catalog,
)

SOURCE_ROOT = Path(kiosk.__file__).resolve().parent.parent
SCANNED = ("kiosk", "screens")
"""The packages whose text reaches the resident (drivers and central speak to staff/logs)."""


def scan(root: Path = SOURCE_ROOT) -> Extraction:
    return extract((root / name for name in SCANNED), relative_to=root)


def catalogs(locale_root: Path | None = None) -> dict[Language, PoCatalog]:
    return {language: load_catalog(language, locale_root) for language in LANGUAGES}


def _check(args: argparse.Namespace) -> int:
    problems = check(scan(args.source), catalogs(args.locale))
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s)" if problems else "catalogs complete")
    return 1 if problems else 0


def _update(args: argparse.Namespace) -> int:
    extraction = scan(args.source)
    for language, catalog in catalogs(args.locale).items():
        added = add_missing(extraction, catalog)
        if added:
            catalog_path(language, args.locale).write_text(format_po(catalog), encoding="utf-8")
        print(f"{language}: {added} new entr{'y' if added == 1 else 'ies'} to translate")
    return _check(args)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "i18n",
        help="check and update the translation catalogs",
        description="Every text a resident sees must be in both catalogs (Indonesian and "
        "English). 'check' lists what is missing, stale or mistranslated (exit 1 if anything "
        "is); 'update' adds an empty entry for each new message to both catalogs, then checks.",
    )
    parser.add_argument(
        "--source", type=Path, default=SOURCE_ROOT, help="source tree to scan (default: this one)"
    )
    parser.add_argument("--locale", type=Path, default=None, help="catalog root (default: shipped)")
    actions = parser.add_subparsers(dest="i18n_command", metavar="ACTION", required=True)
    actions.add_parser(
        "check",
        help="list missing, stale and mistranslated messages",
        description="List the messages missing from a catalog, stale (no longer in the code) "
        "or mistranslated (placeholders differ). Exit 0 when complete, 1 otherwise, 2 when a "
        "catalog cannot be read.",
    ).set_defaults(handler=_guarded(_check))
    actions.add_parser(
        "update",
        help="add new messages to both catalogs, then check",
        description="Append an empty entry for each new message to both catalogs, so the "
        "translator only fills in msgstr; stale entries are listed, never deleted.",
    ).set_defaults(handler=_guarded(_update))


Handler = Callable[[argparse.Namespace], int]


def _guarded(action: Handler) -> Handler:
    """A broken catalog is a message and exit 2, not a traceback."""

    def run(args: argparse.Namespace) -> int:
        try:
            return action(args)
        except CatalogError as err:
            print(f"kiosk i18n: {err}")
            return 2

    return run
