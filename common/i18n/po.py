"""Read and write GNU gettext ``.po`` catalogs, and compile them to ``.mo`` bytes.

Python ships ``gettext.GNUTranslations`` (which reads ``.mo``) but no ``msgfmt``. Rather than
commit generated binaries that can drift from their sources, or require GNU gettext or Babel on
every machine, the kiosk compiles its two small catalogs in memory when a language is first
used (well under a millisecond each). The subset of the format handled here is what translators'
tools (Poedit, Weblate, msgmerge) write: comments, flags, ``msgctxt``, plurals, continued strings
and C escapes; ``#~`` obsolete entries are skipped like ``msgfmt`` does.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

MO_MAGIC = 0x950412DE
CONTEXT_SEPARATOR = "\x04"
"""How a ``.mo`` file joins ``msgctxt`` and ``msgid`` into one key (GNU gettext's EOT)."""

_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    '"': '"',
    "\\": "\\",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
}
_UNESCAPES = {value: f"\\{key}" for key, value in _ESCAPES.items()}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*)$')


class PoError(ValueError):
    """A catalog that cannot be read; the message names the file and line."""


@dataclass
class PoEntry:
    """One message: its id (and plural id), translations (one per plural form) and flags."""

    msgid: str
    msgstr: list[str] = field(default_factory=list)
    msgid_plural: str | None = None
    context: str | None = None
    flags: set[str] = field(default_factory=set)
    comments: list[str] = field(default_factory=list)
    line: int = field(default=0, compare=False)

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.context, self.msgid, self.msgid_plural)

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translated(self) -> bool:
        """Usable at run time: not fuzzy, and every plural form filled in."""
        return not self.fuzzy and bool(self.msgstr) and all(self.msgstr)


@dataclass
class PoCatalog:
    header: dict[str, str]
    entries: list[PoEntry]
    header_comments: list[str] = field(default_factory=list)
    source: str = "<po>"

    @property
    def plural_count(self) -> int:
        """``nplurals`` from the ``Plural-Forms`` header; without one, gettext (and the stdlib's
        reader) use the English rule, two forms."""
        match = re.search(r"nplurals\s*=\s*(\d+)", self.header.get("Plural-Forms", ""))
        return int(match.group(1)) if match else 2


def unescape(literal: str, where: str) -> str:
    """The content of one ``"..."`` PO string literal."""
    if len(literal) < 2 or literal[0] != '"' or literal[-1] != '"':
        raise PoError(f"{where}: expected a quoted string, got {literal!r}")
    body, out, i = literal[1:-1], [], 0
    while i < len(body):
        char = body[i]
        if char == '"':
            raise PoError(f"{where}: unescaped quote inside a string")
        if char == "\\":
            nxt = body[i + 1 : i + 2]
            if nxt not in _ESCAPES:
                raise PoError(f"{where}: unknown escape \\{nxt}")
            out.append(_ESCAPES[nxt])
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


def escape(text: str) -> str:
    return '"' + "".join(_UNESCAPES.get(char, char) for char in text) + '"'


class _Reader:
    """Line-by-line state machine: comments and flags gather until the entry they precede."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.entries: list[PoEntry] = []
        self.current: PoEntry | None = None
        self.field: tuple[str, int | None] | None = None
        self.flags: set[str] = set()
        self.comments: list[str] = []
        self.seen: set[tuple[str | None, str]] = set()
        self.keywords: set[str] = set()

    def feed(self, number: int, raw: str) -> None:
        line = raw.strip()
        where = f"{self.source}:{number}"
        if not line:
            self.end()
        elif line.startswith("#~"):
            return
        elif line.startswith("#,"):
            self.end()
            self.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
        elif line.startswith("#"):
            self.end()
            self.comments.append(raw.rstrip("\n"))
        elif line.startswith('"'):
            if self.current is None or self.field is None:
                raise PoError(f"{where}: a continued string with nothing to continue")
            self.append(self.field, unescape(line, where), where)
        else:
            self.keyword(line, number, where)

    def keyword(self, line: str, number: int, where: str) -> None:
        match = _KEYWORD.match(line)
        if match is None:
            raise PoError(f"{where}: cannot read {line[:40]!r}")
        name, index, literal = match.group(1), match.group(2), match.group(3)
        value = unescape(literal, where)
        if name in ("msgctxt", "msgid") and (self.current is None or self.current.msgstr):
            self.end()
            self.current = PoEntry("", flags=self.flags, comments=self.comments, line=number)
            self.flags, self.comments = set(), []
        if self.current is None:
            raise PoError(f"{where}: {name} before msgid")
        if name in self.keywords:
            raise PoError(f"{where}: {name} given twice in one entry")
        self.keywords.add(name)
        slot = int(index) if index is not None else (0 if name == "msgstr" else None)
        if name.startswith("msgstr") and slot != len(self.current.msgstr):
            raise PoError(f"{where}: {name} out of order")
        self.field = ("msgstr" if name.startswith("msgstr") else name, slot)
        if self.field[0] == "msgstr":
            self.current.msgstr.append("")
        self.append(self.field, value, where)

    def append(self, target: tuple[str, int | None], text: str, where: str) -> None:
        entry = self.current
        assert entry is not None
        name, slot = target
        if name == "msgid":
            entry.msgid += text
        elif name == "msgid_plural":
            entry.msgid_plural = (entry.msgid_plural or "") + text
        elif name == "msgctxt":
            entry.context = (entry.context or "") + text
        else:
            assert slot is not None
            entry.msgstr[slot] += text

    def end(self) -> None:
        entry, self.current, self.field = self.current, None, None
        self.keywords = set()
        if entry is None:
            return
        where = f"{self.source}:{entry.line}"
        if not entry.msgstr:
            raise PoError(f"{where}: msgid {entry.msgid!r} has no msgstr")
        if entry.msgid_plural is None and len(entry.msgstr) > 1:
            raise PoError(f"{where}: msgstr[n] forms without a msgid_plural")
        if (entry.context, entry.msgid) in self.seen:
            raise PoError(f"{where}: duplicate msgid {entry.msgid!r}")
        self.seen.add((entry.context, entry.msgid))
        self.entries.append(entry)


def parse_po(text: str, source: str = "<po>") -> PoCatalog:
    """Parse a catalog; the first entry with an empty msgid is the header."""
    reader = _Reader(source)
    for number, raw in enumerate(text.splitlines(), start=1):
        reader.feed(number, raw)
    reader.end()
    entries, header, header_comments = reader.entries, {}, list(reader.comments)
    if entries and entries[0].msgid == "" and entries[0].context is None:
        first = entries.pop(0)
        header_comments = first.comments
        for line in first.msgstr[0].splitlines():
            name, _, value = line.partition(":")
            if name.strip():
                header[name.strip()] = value.strip()
    return PoCatalog(header, entries, header_comments, source)


def read_po(path: Path) -> PoCatalog:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise PoError(f"{path}: cannot read the catalog: {err}") from err
    return parse_po(text, str(path))


def format_po(catalog: PoCatalog) -> str:
    """The catalog as ``.po`` text (the header first, one blank line between entries)."""
    header_text = "".join(f"{name}: {value}\n" for name, value in catalog.header.items())
    blocks = ["\n".join([*catalog.header_comments, 'msgid ""', _po_string("msgstr", header_text)])]
    for entry in catalog.entries:
        lines = list(entry.comments)
        if entry.flags:
            lines.append("#, " + ", ".join(sorted(entry.flags)))
        if entry.context is not None:
            lines.append(_po_string("msgctxt", entry.context))
        lines.append(_po_string("msgid", entry.msgid))
        if entry.msgid_plural is None:
            lines.append(_po_string("msgstr", entry.msgstr[0] if entry.msgstr else ""))
        else:
            lines.append(_po_string("msgid_plural", entry.msgid_plural))
            lines += [_po_string(f"msgstr[{i}]", text) for i, text in enumerate(entry.msgstr)]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _po_string(keyword: str, text: str) -> str:
    """One keyword; multi-line values are split after each newline like msgmerge does."""
    pieces = text.splitlines(keepends=True)
    if len(pieces) <= 1:
        return f"{keyword} {escape(text)}"
    return "\n".join([f'{keyword} ""', *(escape(piece) for piece in pieces)])


def compile_mo(catalog: PoCatalog) -> bytes:
    """``.mo`` bytes for the catalog, as ``msgfmt`` makes them (without the optional hash table).

    Untranslated and fuzzy entries are left out, so a lookup falls back to the msgid instead
    of showing an empty string or a translator's unchecked guess.
    """
    header_text = "".join(f"{name}: {value}\n" for name, value in catalog.header.items())
    pairs: dict[bytes, bytes] = {b"": header_text.encode("utf-8")}
    for entry in catalog.entries:
        if not entry.translated:
            continue
        key = entry.msgid if entry.msgid_plural is None else f"{entry.msgid}\0{entry.msgid_plural}"
        if entry.context is not None:
            key = entry.context + CONTEXT_SEPARATOR + key
        pairs[key.encode("utf-8")] = "\0".join(entry.msgstr).encode("utf-8")
    return _mo_bytes(sorted(pairs.items()))


def _mo_bytes(pairs: Sequence[tuple[bytes, bytes]]) -> bytes:
    count = len(pairs)
    originals_at = 7 * 4
    translations_at = originals_at + count * 8
    data_at = translations_at + count * 8
    tables: list[Iterable[bytes]] = [[key for key, _ in pairs], [value for _, value in pairs]]
    descriptors, blob = [], bytearray()
    for strings in tables:
        table = []
        for text in strings:
            table.append((len(text), data_at + len(blob)))
            blob += text + b"\0"
        descriptors.append(table)
    header = struct.pack("<7I", MO_MAGIC, 0, count, originals_at, translations_at, 0, data_at)
    index = b"".join(struct.pack("<2I", *item) for table in descriptors for item in table)
    return header + index + bytes(blob)
