"""Compare the messages in the code with the catalogs: what is missing, stale or mistranslated.

Used by the test suite (a release cannot ship an untranslated string) and by ``kiosk i18n``
(a developer sees the same list and can add the missing entries in one step).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from common.i18n.extract import Extraction
from common.i18n.placeholders import PlaceholderError, placeholders
from common.i18n.po import PoCatalog, PoEntry
from common.i18n.translator import Language


@dataclass(frozen=True)
class Problem:
    """One thing to fix; ``str()`` is the line shown to the developer."""

    kind: str
    language: str | None
    msgid: str
    detail: str = ""

    def __str__(self) -> str:
        where = f"[{self.language}] " if self.language else ""
        tail = f": {self.detail}" if self.detail else ""
        return f"{self.kind}: {where}{self.msgid!r}{tail}"


def _placeholder_problems(entry: PoEntry, language: str) -> list[Problem]:
    try:
        singular = placeholders(entry.msgid)
        plural = placeholders(entry.msgid_plural) if entry.msgid_plural is not None else None
        forms = [placeholders(text) for text in entry.msgstr]
    except PlaceholderError as err:
        return [Problem("bad placeholder", language, entry.msgid, str(err))]
    problems = []
    if plural is None:
        if forms[0] != singular:
            detail = f"msgid has {sorted(singular)}, msgstr has {sorted(forms[0])}"
            problems.append(Problem("placeholder mismatch", language, entry.msgid, detail))
        return problems
    allowed = singular | plural
    for index, form in enumerate(forms):
        # A form may leave out {n} ("One person ahead"), never another field nor add one.
        if not form <= allowed or not (allowed - {"n"}) <= form:
            detail = f"msgstr[{index}] has {sorted(form)}, the msgids have {sorted(allowed)}"
            problems.append(Problem("placeholder mismatch", language, entry.msgid, detail))
    return problems


def check_catalog(language: str, catalog: PoCatalog) -> list[Problem]:
    """Problems inside one catalog, whatever the code says."""
    problems = []
    for entry in catalog.entries:
        if entry.context is not None:
            problems.append(Problem("unsupported msgctxt", language, entry.msgid, entry.context))
        if entry.fuzzy:
            problems.append(
                Problem("fuzzy", language, entry.msgid, "review it, then drop #, fuzzy")
            )
        if not all(entry.msgstr):
            problems.append(Problem("untranslated", language, entry.msgid))
            continue
        if entry.msgid_plural is not None and len(entry.msgstr) != catalog.plural_count:
            detail = f"{len(entry.msgstr)} forms, Plural-Forms says {catalog.plural_count}"
            problems.append(Problem("plural forms", language, entry.msgid, detail))
        problems += _placeholder_problems(entry, language)
    return problems


def check(extraction: Extraction, catalogs: Mapping[Language, PoCatalog]) -> list[Problem]:
    """Everything wrong, code and catalogs together; an empty list means ready to ship."""
    problems = [Problem("code", None, "", text) for text in extraction.problems]
    wanted = extraction.messages
    for language, catalog in catalogs.items():
        have = {(entry.msgid, entry.msgid_plural): entry for entry in catalog.entries}
        for key, message in wanted.items():
            if key not in have:
                problems.append(Problem("missing", language, key[0], message.where[0]))
        for key in have:
            if key not in wanted:
                problems.append(Problem("stale", language, key[0], "no longer used in the code"))
        problems += check_catalog(language, catalog)
    return problems


def add_missing(extraction: Extraction, catalog: PoCatalog) -> int:
    """Append an empty entry for each message the catalog lacks (its use as a comment);
    returns how many. The empty ``msgstr`` keeps the check failing until someone translates."""
    have = {(entry.msgid, entry.msgid_plural) for entry in catalog.entries}
    added = 0
    for key, message in extraction.messages.items():
        if key in have:
            continue
        forms = 1 if message.msgid_plural is None else catalog.plural_count
        files = dict.fromkeys(place.rsplit(":", 1)[0] for place in message.where)
        comments = [f"#: {name}" for name in files]
        catalog.entries.append(
            PoEntry(message.msgid, [""] * forms, message.msgid_plural, comments=comments[:3])
        )
        added += 1
    return added
